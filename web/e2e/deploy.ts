import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiProcess } from '../../api/test/http-client.js';

/** The path the test's service worker answers with its version (see `probe`); the server never does. */
export const VERSION_PROBE = '/__e2e/worker-version';

/**
 * A deployment of its own: a copy of the built PWA, served by its own API process (on its own
 * origin, so its service worker is separate from the other tests'), that a test can "deploy" a
 * new version to. The API reads the files on every request, so `release()` takes effect at once.
 *
 * Every version's sw.js answers `VERSION_PROBE` with the version's name, and its index.html
 * carries `<meta name="mailboat-version">`: a page can tell which worker controls it and which
 * shell it was served.
 */
export class Deployment {
  private constructor(
    readonly api: ApiProcess,
    readonly dir: string,
    private readonly built: { sw: string; index: string },
  ) {}

  /** Copies `webDist`, marks it as version `version` and starts an API process serving it. */
  static async start(name: string, databaseUrl: string, webDist: string, version: string): Promise<Deployment> {
    const dir = mkdtempSync(join(tmpdir(), `mailboat-deploy-${name}-`));
    try {
      cpSync(webDist, dir, { recursive: true });
      const built = { sw: readFileSync(join(dir, 'sw.js'), 'utf8'), index: readFileSync(join(dir, 'index.html'), 'utf8') };
      revisionOf(built.sw, 'index.html');
      const deployment = new Deployment(await ApiProcess.start(name, databaseUrl, { WEB_DIST: dir }), dir, built);
      deployment.release(version);
      return deployment;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  get appUrl(): string {
    return this.api.client.base;
  }

  /**
   * Deploys version `version`: a new index.html (its precache revision in sw.js updated to match,
   * as a real build would) and so a byte-different sw.js, which browsers install as a new worker.
   */
  release(version: string): void {
    const index = this.built.index.replace('<head>', `<head>\n    <meta name="mailboat-version" content="${version}" />`);
    const before = revisionOf(this.built.sw, 'index.html');
    const sw = this.built.sw.replace(before, createHash('md5').update(index).digest('hex'));
    writeFileSync(join(this.dir, 'index.html'), index);
    writeFileSync(join(this.dir, 'sw.js'), `${probe(version)}\n${sw}`);
  }

  async stop(): Promise<void> {
    await this.api.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A fetch listener registered before Workbox's (so it answers first): `VERSION_PROBE` gets the
 * version of the worker that handles the request, that is of the worker controlling the page.
 */
function probe(version: string): string {
  return `self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname !== ${JSON.stringify(VERSION_PROBE)}) return;
  event.stopImmediatePropagation();
  event.respondWith(new Response(${JSON.stringify(version)}, { headers: { 'content-type': 'text/plain' } }));
});`;
}

/** The precache revision of `url` in a built sw.js (the manifest Workbox injected). */
function revisionOf(sw: string, url: string): string {
  const entry = sw.match(new RegExp(`\\{[^{}]*"url":"${url}"[^{}]*\\}`))?.[0];
  const revision = entry?.match(/"revision":"([0-9a-f]+)"/)?.[1];
  if (!revision) throw new Error(`sw.js has no precache entry for ${url}: was web/dist built by vite-plugin-pwa?`);
  return revision;
}
