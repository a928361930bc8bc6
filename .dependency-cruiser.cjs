/**
 * What may import what (docs/architecture.md explains each rule). Checked by checks/architecture.test.ts,
 * which `npm test` runs: a violation fails the build with the rule's name and the two files.
 */
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
      comment: 'schema/ is shared by api, web and sw: no I/O (no Node built-ins) and nothing from the packages that use it.',
      severity: 'error',
      from: { path: '^schema/src' },
      to: { pathNot: '^schema/src|node_modules/(yjs|lib0|gql\\.tada|@0no-co)/' },
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
