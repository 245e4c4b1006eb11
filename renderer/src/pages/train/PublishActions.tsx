import { href } from '../../router';

/** The model page's way on: try the model on an image, or publish it (local service, EAS package). */
export function PublishActions({ modelId }: { modelId: number }) {
  return (
    <>
      <a className="button" href={href({ page: 'model-try', id: modelId })}>
        Try
      </a>
      <a className="button" href={href({ page: 'model-publish', id: modelId })}>
        Export for EAS
      </a>
    </>
  );
}
