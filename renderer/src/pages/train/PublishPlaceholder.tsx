import { Breadcrumbs } from '../../components/Breadcrumbs';
import { href } from '../../router';

/**
 * Where the model page's Try and Export buttons lead until the Try & Publish step is built: a page
 * that says so, rather than a hash the router silently turns into the instance list.
 */
export function PublishPlaceholder({ modelId, what }: { modelId: number; what: 'try' | 'export' }) {
  return (
    <div className="page">
      <Breadcrumbs trail={[{ label: 'Model', href: href({ page: 'model', id: modelId }) }, { label: what === 'try' ? 'Try' : 'Export for EAS' }]} />
      <p className="empty">
        {what === 'try' ? 'Trying a model' : 'Exporting an EAS package'} arrives with the Try & Publish step.{' '}
        <a href={href({ page: 'model', id: modelId })}>Back to the model</a>
      </p>
    </div>
  );
}
