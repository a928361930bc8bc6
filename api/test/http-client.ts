import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/postgres.mjs';
import type { App } from '../src/app.js';
import { testEnv } from './environment.js';
import { TestClient } from './harness.js';

const apiDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A TestClient that talks to a running API process over real HTTP. */
export class HttpClient extends TestClient {
  constructor(readonly base: string) {
    super(undefined as unknown as App);
  }

  override async request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.base}${path}`, init);
  }
}

/** How an API process runs: `nodeArgs` go before the script (`--cpu-prof`, say); `showStderr` copies its stderr to ours. */
export type ApiProcessOptions = { nodeArgs?: string[]; showStderr?: boolean };

/** A real API process (`node --import tsx src/main.ts`) on 127.0.0.1. */
export class ApiProcess {
  readonly client: HttpClient;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  output = '';

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly dataDir: string,
    private readonly options: ApiProcessOptions,
  ) {
    this.client = new HttpClient(`http://127.0.0.1:${port}`);
  }

  /** Starts a process serving `databaseUrl` on a free port, with testEnv's settings and `env`; resolves once /ready answers 200. */
  static async start(
    name: string,
    databaseUrl: string,
    env: Record<string, string> = {},
    options: ApiProcessOptions = {},
  ): Promise<ApiProcess> {
    const port = (await freePort()) as number;
    const dataDir = mkdtempSync(join(tmpdir(), `mailboat-${name}-`));
    const api = new ApiProcess(
      name,
      port,
      testEnv({ DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ...env }),
      dataDir,
      options,
    );
    await api.restart();
    return api;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** (Re)starts the process on the same port and database; resolves once it is ready. */
  async restart(timeoutMs = 30_000): Promise<void> {
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], {
      cwd: apiDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (this.options.showStderr) child.stderr?.pipe(process.stderr);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting:\n${this.output}`);
      try {
        if ((await fetch(`${this.client.base}/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.kill();
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Sends `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child?.kill(signal);
    await this.exited;
  }

  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and removes its data folder. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.running) {
      this.child?.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
