import { defineConfig } from 'vite';

/** Builds the PWA into web/dist; `npm start` serves it from the API's port. */
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets' },
});
