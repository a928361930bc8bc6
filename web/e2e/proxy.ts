import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One pushUpdates request that reached the API: how many updates it carried and with which access token. */
export type SeenPush = { updates: number; bearer: string | null };

/**
 * A reverse proxy on 127.0.0.1 in front of an API process: the origin the browser talks to.
 * Profiles (browser.ts) each have one, to cut their network for real.
 * It records every push that reaches the API (so a test can count pushes per write) and every
 * access token that /auth/refresh hands out, and can play "the API is down" (502, with open
 * streams cut) or lose refresh answers without touching the network the browser sees.
 */
export class ApiProxy {
  readonly pushes: SeenPush[] = [];
  /** Access tokens issued by /auth/refresh, in order. */
  readonly refreshed: string[] = [];
  private down = false;
  private pushesRefused = false;
  private refreshAnswersToLose = 0;
  /** Refresh answers cut by `loseRefreshAnswers` so far. */
  refreshAnswersLost = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<ApiProxy> {
    const upstream = new URL(target);
    let proxy: ApiProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (proxy?.down) {
          res.writeHead(502, { 'content-type': 'text/plain' }).end('The API is down');
          return;
        }
        const body = Buffer.concat(chunks);
        const push = req.url?.startsWith('/graphql') === true && body.includes('pushUpdates');
        if (push && proxy?.pushesRefused) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('Pushes are paused');
          return;
        }
        if (push) proxy?.recordPush(body, req.headers);
        const up = request(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
          (upRes) => {
            if (req.url === '/auth/refresh' && proxy && proxy.refreshAnswersToLose > 0) {
              proxy.refreshAnswersToLose--;
              proxy.refreshAnswersLost++;
              upRes.resume();
              res.socket?.destroy();
              return;
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            if (req.url === '/auth/refresh' && upRes.statusCode === 200) proxy?.recordRefresh(upRes);
            upRes.pipe(res);
          },
        );
        up.on('error', () => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end();
        });
        // The browser went away mid-answer (a closed page, a cut network): so does the API's
        // request, as over a real network, so a stream (events, presence) ends on the server too.
        res.on('close', () => {
          if (!res.writableFinished) up.destroy();
        });
        up.end(body);
      });
    });
    server.on('connection', (socket: Socket) => {
      proxy?.sockets.add(socket);
      socket.on('close', () => proxy?.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new ApiProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Takes the API "down" (every request answered 502, open connections cut) or brings it back. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const s of this.sockets) s.destroy();
  }

  /** Answers every push 503 (the rest of the API keeps working), or stops doing so. */
  refusePushes(refused: boolean): void {
    this.pushesRefused = refused;
  }

  /**
   * Lets the next `count` refreshes reach the API (which rotates the refresh token) and then
   * cuts the browser's connection instead of answering: the answer, and its cookie, are lost.
   */
  loseRefreshAnswers(count: number): void {
    this.refreshAnswersToLose = count;
  }

  /** Updates pushed so far (a write pushed twice counts twice). */
  get updatesPushed(): number {
    return this.pushes.reduce((n, p) => n + p.updates, 0);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private recordPush(body: Buffer, headers: IncomingHttpHeaders): void {
    const parsed = JSON.parse(body.toString()) as { variables?: { updates?: unknown[] } };
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? null;
    this.pushes.push({ updates: parsed.variables?.updates?.length ?? 0, bearer });
  }

  private recordRefresh(res: NodeJS.ReadableStream): void {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const token = (JSON.parse(Buffer.concat(chunks).toString() || '{}') as { accessToken?: string }).accessToken;
      if (token) this.refreshed.push(token);
    });
  }
}
