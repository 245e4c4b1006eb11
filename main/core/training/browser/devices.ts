// What GPU paths a browser context has, found without TensorFlow.js (cheap enough for every studio
// page): the WebGPU adapter and the WebGL2 renderer, by name, and whether they are software.

import type { BrowserDevice } from './offer';

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface Adapter {
  info?: AdapterInfo;
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<Adapter | null>;
}

async function webgpuDevice(): Promise<BrowserDevice | null> {
  const gpu = (globalThis.navigator as { gpu?: Gpu } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const info = adapter.info ?? {};
    const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter';
    const software = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || SOFTWARE.test(`${name} ${info.architecture ?? ''}`);
    return { backend: 'webgpu', name: prettify(name), software };
  } catch {
    return null;
  }
}

function webglDevice(): BrowserDevice | null {
  try {
    const canvas: OffscreenCanvas | HTMLCanvasElement = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { backend: 'webgl', name: prettify(renderer), software: SOFTWARE.test(renderer) };
  } catch {
    return null;
  }
}

/** "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)" → the device part. */
function prettify(name: string): string {
  const angle = /^ANGLE \(([^,]+), (.+?)(?:, [^,]+)?\)$/.exec(name);
  const inner = angle ? angle[2]! : name;
  return inner.replace(/\s*\(0x[0-9a-f]+\)/gi, '').replace(/^(Vulkan|Direct3D11|OpenGL|Metal)[^(]*\((.*)\)$/i, '$2').trim() || name;
}

export async function probeBrowserDevices(): Promise<BrowserDevice[]> {
  const found = [await webgpuDevice(), webglDevice()];
  return found.filter((d): d is BrowserDevice => d !== null);
}
