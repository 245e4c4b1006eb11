// Wire details shared by the browser-mode server and its client.

/** POST {args: [...]} → {result} | {error: ApiErrorInfo} */
export const RPC_PATH = '/api/call/';
/** WebSocket carrying StudioEvent JSON messages. */
export const EVENTS_PATH = '/api/events';
/** GET /media/<kind>/<imageId> */
export const MEDIA_PATH = '/media/';
/** Header, query parameter and cookie that carry the session token. */
export const TOKEN_HEADER = 'x-studio-token';
export const TOKEN_PARAM = 'token';
export const TOKEN_COOKIE = 'studio_token';

/** The Electron IPC channels (one generic call channel, one event channel). */
export const IPC_CALL = 'studio:call';
export const IPC_EVENT = 'studio:event';
/** Custom protocol serving thumbnails and images in Electron. */
export const MEDIA_SCHEME = 'studio-media';
