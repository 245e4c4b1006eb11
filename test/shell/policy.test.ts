import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { externalWebUrl, isAppUrl, parseMediaUrl, workspaceArg } from '../../main/shell/policy';

describe('isAppUrl', () => {
  const dev = 'http://localhost:5173';
  const prod = pathToFileURL('/opt/app/out/renderer/index.html').href;

  it('accepts the dev server origin only', () => {
    expect(isAppUrl('http://localhost:5173/#/datasets/3', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:5173.evil.com/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
  });

  it('accepts only our index.html under file://, whatever the hash', () => {
    expect(isAppUrl(`${prod}#/instances`, prod)).toBe(true);
    expect(isAppUrl(pathToFileURL('/etc/passwd').href, prod)).toBe(false);
    expect(isAppUrl(pathToFileURL('/opt/app/out/renderer/other.html').href, prod)).toBe(false);
    expect(isAppUrl('not a url', prod)).toBe(false);
  });
});

describe('externalWebUrl', () => {
  it('passes http(s) links and nothing else', () => {
    expect(externalWebUrl('https://help.aliyun.com/pai')).toBe('https://help.aliyun.com/pai');
    expect(externalWebUrl('file:///etc/passwd')).toBeNull();
    expect(externalWebUrl('javascript:alert(1)')).toBeNull();
    expect(externalWebUrl('smb://host/share')).toBeNull();
  });
});

describe('parseMediaUrl', () => {
  it('parses thumbnails and images, ignoring a cache-busting query', () => {
    expect(parseMediaUrl('studio-media://media/thumb/42')).toEqual({ kind: 'thumb', imageId: 42 });
    expect(parseMediaUrl('studio-media://media/image/7?v=123')).toEqual({ kind: 'image', imageId: 7 });
  });

  it('rejects anything else', () => {
    for (const url of [
      'studio-media://media/thumb/0',
      'studio-media://media/thumb/-1',
      'studio-media://media/thumb/1.5',
      'studio-media://media/raw/1',
      'studio-media://media/thumb/1/extra',
      'studio-media://other/thumb/1',
      'studio-media://media/thumb/../../etc/passwd',
      'http://media/thumb/1',
    ]) {
      expect(parseMediaUrl(url), url).toBeNull();
    }
  });
});

describe('workspaceArg', () => {
  it('reads both spellings and resolves the path', () => {
    expect(workspaceArg(['electron', '.', '--workspace', '/data/ws'])).toBe('/data/ws');
    expect(workspaceArg(['app', '--workspace=/data/ws2'])).toBe('/data/ws2');
    expect(workspaceArg(['app', '--workspace=rel'])).toBe(`${process.cwd()}/rel`);
    expect(workspaceArg(['app'])).toBeUndefined();
    expect(workspaceArg(['app', '--workspace'])).toBeUndefined();
  });
});
