// The static site: relative asset paths (works from any folder of any static server), the
// h5wasm worker as a separate ES chunk loaded only for HDF5 input, and workspace packages
// resolved to their browser entries (not the `node` export condition).
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    reportCompressedSize: true,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
