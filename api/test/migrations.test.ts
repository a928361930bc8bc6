import { Migrator, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
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

  it('fill the versions of messages projected before versions existed, each showing the text it showed', async () => {
    const db = await freshDatabase(backend);
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026-12-06T0000-refresh-successor')).error).toBeUndefined();
      const conversation = uuidv7();
      await sql`insert into conversations (id, kind) values (${conversation}, 'group')`.execute(db);
      const [plain, edited, deleted] = [uuidv7(), uuidv7(), uuidv7()];
      const row = (id: string, text: string, editedAt: number | null, isDeleted: boolean) =>
        sql`insert into messages (id, conversation_id, segment, author_id, created_at, text, edited_at, deleted)
            values (${id}, ${conversation}, 1, ${uuidv7()}, 1000, ${text}, ${editedAt}, ${isDeleted})`.execute(db);
      await row(plain, 'as sent', null, false);
      await row(edited, 'as edited', 2000, false);
      await row(deleted, '', null, true);
      await migrateToLatest(db);
      const rows = await sql<{ id: string; text: string; versions: unknown }>`select id, text, versions from messages`.execute(db);
      const versions = new Map(rows.rows.map((r) => [r.id, typeof r.versions === 'string' ? JSON.parse(r.versions) : r.versions]));
      expect(versions.get(plain)).toEqual([{ id: '', text: 'as sent', at: 1000, deviceId: null }]);
      expect(versions.get(edited)).toEqual([{ id: '', text: 'as edited', at: 2000, deviceId: null }]);
      expect(versions.get(deleted)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
