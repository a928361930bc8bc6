import { createServer } from 'node:http';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

/** Starts Mailboat: migrates, then serves the API (and, once built, the PWA) on one port. */
async function main() {
  const config = loadConfig();
  const app = await createApp(config);
  const server = createServer(app.yoga);
  server.listen(config.port, config.host, () => {
    const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
    console.log(
      `Mailboat is running at ${where} (GraphQL: ${where}/graphql) on ${config.databaseUrl ? 'Postgres' : `PGlite in ${config.dataDir}`}`,
    );
  });
  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void app.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
