import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cruise, root, ruleNames } from './depcruise.js';

/** The source folders the rules govern (tests and benches may reach across packages to start real servers). */
const sources = ['schema/src', 'api/src', 'web/src', 'sw/src'];

/**
 * A small tree in the repository's layout that breaks every rule once, so a rule that
 * stopped matching anything (a renamed folder, a typo in a pattern) fails this file.
 */
const breaksEveryRule: Record<string, string> = {
  'schema/src/reads-files.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'web/src/sync/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'web/src/sync/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  'web/src/sync/opens-a-screen.ts': "import { Screen } from '../ui/Screen.js';\nexport const s = Screen;\n",
  'web/src/ui/Screen.ts': "import { a } from '../sync/a.js';\nexport const Screen = a;\n",
  'sw/src/reaches-in.ts': "import { a } from '../../web/src/sync/a.js';\nexport const r = a;\n",
  'web/src/launch/preview.ts': "import { a } from '../sync/a.js';\nexport const p = a;\n",
  'api/src/config.ts': 'export const config = {};\n',
  'api/src/db/reads-config.ts': "import { config } from '../config.js';\nexport const c = config;\n",
  'api/src/errors.ts': "import { signUp } from './accounts/accounts-service.js';\nexport const e = signUp;\n",
  'api/src/context.ts': "import { config } from './config.js';\nexport type AppDeps = typeof config;\n",
  'api/src/accounts/users-repository.ts': "import { config } from '../config.js';\nexport const findUser = () => config;\n",
  'api/src/accounts/devices-repository.ts': "import { findUser } from './users-repository.js';\nexport const findDevice = findUser;\n",
  'api/src/accounts/accounts-service.ts': "import { User } from '../graphql/user.js';\nexport const signUp = () => User;\n",
  'api/src/graphql/user.ts': "import { endpoint } from '../http/endpoint.js';\nexport const User = endpoint;\n",
  'api/src/http/endpoint.ts':
    "import { findUser } from '../accounts/users-repository.js';\nimport { User } from '../graphql/user.js';\nimport type { Db } from '../db/tables.js';\nimport { connect } from '../db/connect.js';\nimport { yoga } from '../yoga.js';\nexport const endpoint = [findUser, User, connect, yoga];\nexport type T = Db;\n",
  'api/src/db/tables.ts': 'export const tables = 1;\nexport type Db = number;\n',
  'api/src/db/connect.ts': 'export const connect = 1;\n',
  'api/src/http/rows.ts': "import { tables } from '../db/tables.js';\nexport const rows = tables;\n",
  'api/src/yoga.ts': 'export const yoga = 1;\n',
};

function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailboat-rules-'));
  writeFileSync(join(dir, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the import rules (.dependency-cruiser.cjs, explained in docs/architecture.md)', () => {
  it('hold for every source file: no circles, each layer imports only what it may', () => {
    expect(cruise(root, sources)).toEqual([]);
  });

  it('each catch what they forbid', async () => {
    const dir = writeTree(breaksEveryRule);
    const broken = new Set(cruise(dir, sources).map((v) => v.rule));
    expect([...broken].sort()).toEqual((await ruleNames()).sort());
  });
});
