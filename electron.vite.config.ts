import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Top-level main/ preload/ renderer/ instead of electron-vite's default src/ layout.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The training process is its own entry: host.ts forks out/main/training-worker.js.
      rollupOptions: { input: { index: resolve('main/index.ts'), 'training-worker': resolve('main/core/training/worker.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only require('electron'): bundle everything into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      // electron-vite leaves output unminified; the renderer is also served over HTTP in the browser mode.
      minify: true,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
