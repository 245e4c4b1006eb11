// studio-media://media/<thumb|image>/<imageId>: thumbnails and images served by the Studio, so
// the page never sees file paths and works the same from the dev server and from file://.

import { protocol, type Session } from 'electron';
import { MEDIA_SCHEME } from '../shared/transport';
import { StudioError } from '../shared/api';
import type { Studio } from '../core/studio';
import { parseMediaUrl } from './policy';

/** Must run before the app is ready. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

export function handleMedia(session: Session, studio: () => Studio): void {
  session.protocol.handle(MEDIA_SCHEME, async (request) => {
    const target = parseMediaUrl(request.url);
    if (!target) return new Response('Not found', { status: 404 });
    try {
      const { data, contentType } = await studio().readMedia(target.kind, target.imageId);
      return new Response(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
        headers: { 'content-type': contentType },
      });
    } catch (err) {
      const expected = err instanceof StudioError && (err.code === 'not_found' || err.code === 'invalid_input');
      if (!expected) console.error(`${request.url} failed:`, err);
      return new Response(expected ? 'Not found' : 'Error', { status: expected ? 404 : 500 });
    }
  });
}
