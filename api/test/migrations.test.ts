import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { backends, freshDatabase } from './harness.js';

describe.each(backends)('migrations on %s', (backend) => {
  it('apply every migration once, and a second run changes nothing', async () => {
    const db = await freshDatabase(backend);
    try {
      const first = await migrateToLatest(db);
      expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(Object.keys(migrations).map((name) => [name, 'Success']));
      const second = await migrateToLatest(db);
      expect(second.results).toEqual([]);
      const tables = await sql<{
        table_name: string;
      }>`select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['users', 'devices', 'refresh_tokens', 'pairing_codes', 'conversations', 'conversation_members']),
      );
    } finally {
      await db.destroy();
    }
  });
});
