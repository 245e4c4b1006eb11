import { StudioError, type ApiErrorInfo, type ErrorCode } from '../../../main/shared/api';

const ERROR_CODES: readonly ErrorCode[] = ['invalid_input', 'not_found', 'conflict', 'io_error', 'cancelled', 'internal'];

function isErrorInfo(value: unknown): value is ApiErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code);
}

/** Whatever a transport threw, as a StudioError (IPC and JSON strip the class, not the fields). */
export function toStudioError(error: unknown): StudioError {
  if (error instanceof StudioError) return error;
  if (isErrorInfo(error)) return StudioError.from(error);
  const message = error instanceof Error ? error.message : String(error);
  return new StudioError('internal', message);
}

export function parseErrorBody(body: unknown): StudioError | null {
  const error = (body as { error?: unknown } | null)?.error;
  return isErrorInfo(error) ? StudioError.from(error) : null;
}
