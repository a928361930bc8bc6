/**
 * What may import what (docs/architecture.md explains each rule). Checked by checks/architecture.test.ts,
 * which `npm test` runs: a violation fails the build with the rule's name and the two files.
 */
/** The API's folders of domain logic: services, their repositories, and the parts they build on. */
const DOMAIN =
  '^api/src/(accounts|attachments|auth|conversations|devices|events|messages|notifications|pairing|presence|receipts|sync|typing)/';
/** Small modules every layer of the API may use. */
const KERNEL = '^api/src/(errors|global-ids|validate|viewer|config)\\.ts$';
/** Where the API starts: they wire the layers together, and only they may import each other. */
const ROOTS = '^api/src/(app|yoga|main|migrate|print-schema)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import circles hide which module is the base: cut them with a type module, or move the shared part down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'schema-is-the-contract',
      comment:
        'schema/ is shared by api, web and sw: no I/O (no Node built-ins) and nothing from the packages that use it. file-type: its fileTypeFromBuffer reads only the bytes given (sniff.ts, a separate entry point).',
      severity: 'error',
      from: { path: '^schema/src' },
      to: { pathNot: '^schema/src|node_modules/(yjs|lib0|gql\\.tada|@0no-co|file-type)/' },
    },
    {
      name: 'packages-meet-through-exports',
      comment:
        'A package reaches another only through its package.json exports (e.g. @mailboat/web/sync/replay), never into its src by path.',
      severity: 'error',
      from: { path: '^(api|web|sw|schema)/src/' },
      to: { path: '^(api|web|sw|schema)/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'screens-talk-to-the-model',
      comment: "web/src/ui renders and calls the app's model (app/model.ts); it never reaches into the sync core.",
      severity: 'error',
      from: { path: '^web/src/ui/' },
      to: { path: '^web/src/', pathNot: '^web/src/(ui/|app/model\\.ts$|styles/)' },
    },
    {
      name: 'sync-knows-no-screens',
      comment: 'web/src/sync is the local-first core: it may use the model it implements (app/model.ts), never screens or the app wiring.',
      severity: 'error',
      from: { path: '^web/src/sync/' },
      to: { path: '^web/src/(ui/|app/)', pathNot: '^web/src/app/model\\.ts$' },
    },
    {
      name: 'launch-sits-below-the-core',
      comment:
        'web/src/launch (screen snapshot, preview) is kept up to date by the sync core; it reads only the device storage (sync/local-db.ts) and the model.',
      severity: 'error',
      from: { path: '^web/src/launch/' },
      to: { path: '^web/src/', pathNot: '^web/src/(launch/|app/model\\.ts$|sync/local-db\\.ts$)' },
    },
    {
      name: 'db-is-the-bottom',
      comment: 'api/src/db (connections, migrations, table types) imports nothing else of the API.',
      severity: 'error',
      from: { path: '^api/src/db/' },
      to: { path: '^api/src/', pathNot: '^api/src/db/' },
    },
    {
      name: 'kernel-stands-alone',
      comment: 'The kernel (errors, global IDs, input checks, viewer, config) is used by every layer, so it uses none of them.',
      severity: 'error',
      from: { path: KERNEL },
      to: { path: '^api/src/', pathNot: KERNEL },
    },
    {
      name: 'app-deps-name-types-only',
      comment: 'api/src/context.ts names the long-lived parts AppDeps holds; it imports their types, never their code.',
      severity: 'error',
      from: { path: '^api/src/context\\.ts$' },
      to: { path: '^api/src/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'repositories-only-query',
      comment: 'A repository is plain kysely over db/: no rules, no authorization, no services; another repository only for its types.',
      severity: 'error',
      from: { path: '-repository\\.ts$' },
      to: { path: '^api/src/', pathNot: ['^api/src/db/', '-repository\\.ts$'] },
    },
    {
      name: 'repositories-use-only-repository-types',
      comment: "One repository may name another's row types, never call it: composing queries is a service's job.",
      severity: 'error',
      from: { path: '-repository\\.ts$' },
      to: { path: '-repository\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-knows-no-transport',
      comment: 'Services and what they use know nothing of GraphQL or HTTP: both call into them, never the reverse.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: ['^api/src/(graphql|http)/', ROOTS] },
    },
    {
      name: 'graphql-imports-no-http',
      comment:
        'Resolvers (graphql/) and HTTP endpoints and plugins (http/) are two doors to the same services; yoga.ts wires them together.',
      severity: 'error',
      from: { path: '^api/src/graphql/' },
      to: { path: '^api/src/http/' },
    },
    {
      name: 'http-imports-no-graphql',
      comment: 'See graphql-imports-no-http.',
      severity: 'error',
      from: { path: '^api/src/http/' },
      to: { path: '^api/src/graphql/' },
    },
    {
      name: 'doors-call-services',
      comment:
        'Resolvers and endpoints read and write through services (which hold the authorization), never a repository or a database handle; db/tables.ts only for row types.',
      severity: 'error',
      from: { path: '^api/src/(graphql|http)/' },
      to: { path: ['-repository\\.ts$', '^api/src/db/(?!tables\\.ts$)'] },
    },
    {
      name: 'doors-use-row-types-only',
      comment: 'Resolvers and endpoints may name row types of db/tables.ts, nothing more of it.',
      severity: 'error',
      from: { path: '^api/src/(graphql|http)/' },
      to: { path: '^api/src/db/tables\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'roots-are-entry-points',
      comment: 'app.ts, yoga.ts, main.ts, migrate.ts and print-schema.ts start and wire things; nothing but another root imports them.',
      severity: 'error',
      from: { pathNot: ROOTS },
      to: { path: ROOTS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
