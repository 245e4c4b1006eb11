import { href } from '../../router';

/**
 * Whether the Try & Publish pages exist yet. They are built separately; until then the buttons
 * stay visible (so the path from a model to a service is clear) but disabled, saying why. Flip this
 * when `#/models/<id>/try` and `#/models/<id>/export` render real pages.
 */
export const PUBLISH_PAGES_READY = false;

const NOT_YET = 'Arrives with the Try & Publish step';

/** The model page's way on: try the model on an image, or export it as an EAS package. */
export function PublishActions({ modelId }: { modelId: number }) {
  if (!PUBLISH_PAGES_READY) {
    return (
      <>
        {/* A disabled button gets no pointer events in some engines: the tooltip sits on a wrapper. */}
        <span className="disabled-hint" title={NOT_YET}>
          <button type="button" className="button" disabled aria-description={NOT_YET}>
            Try
          </button>
        </span>
        <span className="disabled-hint" title={NOT_YET}>
          <button type="button" className="button" disabled aria-description={NOT_YET}>
            Export for EAS
          </button>
        </span>
      </>
    );
  }
  return (
    <>
      <a className="button" href={href({ page: 'model-try', id: modelId })}>
        Try
      </a>
      <a className="button" href={href({ page: 'model-export', id: modelId })}>
        Export for EAS
      </a>
    </>
  );
}
