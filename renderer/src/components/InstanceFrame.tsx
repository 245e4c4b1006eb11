import type { ReactNode } from 'react';
import type { Instance } from '../../../main/shared/api';
import type { Resource } from '../hooks';
import { href } from '../router';
import { Alert } from './Alert';
import { Breadcrumbs } from './Breadcrumbs';
import { TypeTag } from './TypeTag';

/**
 * The frame of an instance's pages (its datasets, Train, Try & Publish): breadcrumbs, load errors
 * with Retry, the heading with the instance's type, the page's actions; "not found" once the
 * instance is known to be gone. The body renders once the instance is loaded.
 */
export function InstanceFrame({
  instance,
  step,
  description,
  actions,
  resources = [],
  children,
}: {
  instance: Resource<Instance | null>;
  /** The step's breadcrumb ("Train"); none on the instance's own page. */
  step?: string;
  description: (instance: Instance) => ReactNode;
  actions?: ReactNode;
  /** The page's other loads, whose errors show under the breadcrumbs. */
  resources?: ReadonlyArray<Resource<unknown>>;
  children: (instance: Instance) => ReactNode;
}) {
  const instances = { label: 'Instances', href: href({ page: 'instances' }) };
  if (instance.data === null) {
    return (
      <div className="page">
        <Breadcrumbs trail={[instances, { label: 'Not found' }]} />
        <p className="empty">This instance does not exist (any more).</p>
      </div>
    );
  }
  const current = instance.data;
  const name = current?.name ?? '…';
  return (
    <div className="page">
      <Breadcrumbs trail={step ? [instances, { label: name, href: current && href({ page: 'instance', id: current.id }) }, { label: step }] : [instances, { label: name }]} />
      {[instance, ...resources].map(
        (r, i) => r.error && <Alert key={i} error={r.error} action={{ label: 'Retry', onClick: r.reload }} />,
      )}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                {current.name} <TypeTag type={current.type} />
              </h1>
              <p className="muted">{description(current)}</p>
            </div>
            {actions && <div className="page-actions">{actions}</div>}
          </div>
          {children(current)}
        </>
      )}
    </div>
  );
}
