import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { screenSnapshotPainter } from './src/launch/screen-snapshot-painter-plugin.js';

/**
 * Builds the PWA into web/dist; `npm start` serves it from the API's port. The service worker
 * comes from sw/src/sw.ts (Workbox), with the list of built files injected for precaching.
 * The manifest is web/public/manifest.webmanifest; registration is web/src/app/register-sw.ts.
 * The screen snapshot painter, /screen-snapshot.js, is built from web/src/launch.
 */
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets' },
  plugins: [
    screenSnapshotPainter(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: '../sw/src',
      filename: 'sw.ts',
      manifest: false,
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,svg,png,ico,webmanifest,woff2}'],
        maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
      },
    }),
  ],
});
