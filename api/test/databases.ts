import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { connectPostgres } from '../src/db/connect.js';

/** Creates a new, empty database on the Postgres server at `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, prefix = 'mailboat_test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(serverUrl, 1);
  await sql`create database ${sql.id(name)}`.execute(admin);
  await admin.destroy();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
