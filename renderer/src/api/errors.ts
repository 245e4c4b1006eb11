import { ERROR_CODES, StudioError, type ApiErrorInfo } from '../../../main/shared/api';

function isErrorInfo(value: unknown): value is ApiErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code);
}

/** Whatever a transport threw, as a StudioError (IPC and JSON strip the class, not the fields). */
export function toStudioError(error: unknown): StudioError {
  // Errors that crossed a transport arrive as plain {code, message} objects.
  return isErrorInfo(error) && !(error instanceof StudioError) ? StudioError.from(error) : StudioError.wrap(error);
}

export function parseErrorBody(body: unknown): StudioError | null {
  const error = (body as { error?: unknown } | null)?.error;
  return isErrorInfo(error) ? StudioError.from(error) : null;
}
