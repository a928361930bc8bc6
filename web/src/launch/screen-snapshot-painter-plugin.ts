import { join } from 'node:path';
import { build, type Plugin, type Rolldown } from 'vite';

/** The painter's URL: index.html runs it, as a plain (classic, blocking) script, right after <div id="root">. */
export const SCREEN_SNAPSHOT_SCRIPT = '/screen-snapshot.js';

const PAINTER = join(import.meta.dirname, 'screen-snapshot-painter.ts');
/** The script's entry: it runs the painter at once. */
const ENTRY = '\0screen-snapshot-script';
const ENTRY_CODE = `import { paintScreenSnapshot } from ${JSON.stringify(PAINTER)};\npaintScreenSnapshot();\n`;

/**
 * The plain script /screen-snapshot.js: screen-snapshot-painter.ts and what it imports (the
 * keys and format of screen-snapshot-format.ts, which the app's own code imports too),
 * bundled into one classic script that paints at once. It has no imports, so it runs before
 * any module of the app has loaded, and it is a file of the page's own origin, as the
 * page's Content-Security-Policy (script-src 'self', no inline scripts) requires.
 */
export async function buildScreenSnapshotScript(): Promise<string> {
  const built = await build({
    configFile: false,
    envDir: false,
    publicDir: false,
    logLevel: 'warn',
    root: import.meta.dirname,
    plugins: [
      {
        name: 'mailboat:screen-snapshot-entry',
        resolveId: (id) => (id === ENTRY ? id : undefined),
        load: (id) => (id === ENTRY ? ENTRY_CODE : undefined),
      },
    ],
    build: {
      write: false,
      minify: true,
      rolldownOptions: { input: ENTRY, output: { format: 'iife' } },
    },
  });
  const chunks = (Array.isArray(built) ? built : [built as Rolldown.RolldownOutput]).flatMap((b) => b.output);
  const [script, ...others] = chunks.filter((c) => c.type === 'chunk');
  if (!script || others.length > 0) throw new Error('The screen snapshot painter must build into exactly one script');
  return script.code;
}

/**
 * Serves the painter as SCREEN_SNAPSHOT_SCRIPT: emitted into the build (where the service
 * worker precaches it with the other built files), and answered by the dev server.
 */
export function screenSnapshotPainter(): Plugin {
  return {
    name: 'mailboat:screen-snapshot-painter',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: SCREEN_SNAPSHOT_SCRIPT.slice(1), source: await buildScreenSnapshotScript() });
    },
    configureServer(server) {
      server.middlewares.use(SCREEN_SNAPSHOT_SCRIPT, (_req, res, next) => {
        buildScreenSnapshotScript().then((code) => {
          res.setHeader('content-type', 'text/javascript; charset=utf-8');
          res.end(code);
        }, next);
      });
    },
  };
}
