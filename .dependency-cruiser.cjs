// The dependency rules of docs/architecture.md, checked by `npm run check` (dependency-cruiser).
// Folders form a one-way graph: main → server → api, dns, health → registry → catalog, store → model;
// config.ts and model/ are leaves anyone may use; from outside a folder only its index.ts is imported.
const layer = (from, forbidden, comment) => ({
  name: `${from}-imports-${forbidden.join('-')}`,
  comment,
  severity: 'error',
  from: { path: `^src/${from}` },
  to: { path: `^src/(${forbidden.join('|')})` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make the order of loading matter and hide which part depends on which.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    layer(
      'model/',
      ['config\\.ts', 'store', 'catalog', 'registry', 'api', 'dns', 'health', 'agent', 'server\\.ts', 'main\\.ts'],
      'model/ is the shared vocabulary: it imports nothing else of cairn.',
    ),
    layer(
      'config\\.ts',
      ['store', 'catalog', 'registry', 'api', 'dns', 'health', 'agent', 'server\\.ts', 'main\\.ts'],
      'config.ts is a leaf: only model/.',
    ),
    layer(
      'store/',
      ['catalog', 'registry', 'api', 'dns', 'health', 'agent', 'server\\.ts', 'main\\.ts'],
      'The store knows records and changes (model/), nothing above it.',
    ),
    layer(
      'catalog/',
      ['store', 'registry', 'api', 'dns', 'health', 'agent', 'server\\.ts', 'main\\.ts'],
      'The catalog reads the change feed through model/changes.ts, never the store itself.',
    ),
    layer(
      'registry/',
      ['api', 'dns', 'health', 'agent', 'server\\.ts', 'main\\.ts'],
      'The registry is below the API, DNS and health checks.',
    ),
    layer(
      'api/',
      ['dns', 'health', 'agent', 'server\\.ts', 'main\\.ts'],
      'The API does not know DNS or the health checks; server.ts wires them.',
    ),
    layer('dns/', ['store', 'registry', 'api', 'health', 'agent', 'server\\.ts', 'main\\.ts'], 'DNS reads the catalog, never the store.'),
    layer(
      'health/',
      ['api', 'dns', 'agent', 'server\\.ts', 'main\\.ts'],
      'Health checks write through the registry; they do not know the API or DNS.',
    ),
    layer(
      'agent/',
      ['config\\.ts', 'store', 'catalog', 'registry', 'api', 'dns', 'health', 'server\\.ts', 'main\\.ts'],
      'The agent is a separate process that speaks the Cloud Map API: only model/.',
    ),
    layer('server\\.ts', ['main\\.ts', 'agent'], 'server.ts assembles one replica; main.ts starts it.'),
    {
      name: 'only-index-from-outside',
      comment: "From outside a folder only its index.ts is imported: it is the folder's public surface (model/ is exempt).",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/model/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'only-index-from-top',
      comment: 'main.ts and server.ts import a folder through its index.ts (model/ is exempt).',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/model/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'dns-halves-through-index',
      comment: 'Inside dns/, the halves (index/, serve/) and the wire helpers (wire/) meet through their index.ts.',
      severity: 'error',
      from: { path: '^src/dns/([^/]+)/' },
      to: { path: '^src/dns/[^/]+/', pathNot: ['^src/dns/$1/', '^src/dns/[^/]+/index\\.ts$'] },
    },
    layer('dns/wire/', ['dns/index/', 'dns/serve/'], 'The wire helpers are shared by both halves and import neither.'),
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'The image installs production dependencies only: src/ must not import a dev dependency.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev', 'npm-no-pkg', 'npm-unknown', 'unknown', 'undetermined'] },
    },
    layer('dns/index/', ['dns/serve/'], 'Building prepared bytes does not depend on serving them.'),
    {
      name: 'src-imports-ui',
      comment: 'The web console (ui/) runs in the browser, bundled by scripts/build-ui.ts: no server code imports it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^ui/' },
    },
    {
      name: 'ui-imports-server',
      comment: 'The web console speaks to cairn over HTTP only: it imports nothing of the server, tests or scripts.',
      severity: 'error',
      from: { path: '^ui/' },
      to: { path: '^(src|test|scripts|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
