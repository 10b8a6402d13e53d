// Bundles entry.js into ../../assets/plotly-partial.min.js; run `npm ci && npm run build` here
// after changing the trace list or the plotly.js version (keep it equal to the version the
// Python plotly package reports: plotly.offline.get_plotlyjs_version()).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const traces = [...readFileSync(new URL('./entry.js', import.meta.url), 'utf8').matchAll(/require\('plotly\.js\/lib\/([a-z0-9]+)'\)/g)]
  .map((match) => match[1]).filter((name) => name !== 'core');
const version = JSON.parse(readFileSync(new URL('./node_modules/plotly.js/package.json', import.meta.url))).version;

await build({
  entryPoints: [new URL('./entry.js', import.meta.url).pathname],
  outfile: new URL('../../assets/plotly-partial.min.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017'],
  legalComments: 'none',
  // The banner names the traces so a test can tell a stale bundle from a rebuilt one.
  banner: { js: `/* plotly.js ${version} partial bundle (MIT, see plotly.LICENSE.txt): scatter, ${traces.join(', ')}. Built by scripts/plotly-bundle. */` },
  define: { global: 'window' },
  // Only map traces use maplibre's stylesheet, and the dashboard draws none.
  loader: { '.css': 'empty' },
  logLevel: 'info',
});
