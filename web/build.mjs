// Builds the console: web/src -> web/dist (esbuild: bundled, minified, hashed names),
// and the chat widget: web/widget -> web/dist/widget.js (a stable name, see web/widget/build.mjs).
//
//   node web/build.mjs            build once, print the sizes (gzipped) against the budget
//
// The build goes to a fresh folder that replaces web/dist at the end, so a server
// reading web/dist never sees half a build. Over the budget, the build fails.
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidget, WIDGET_BUDGET_BYTES } from './widget/build.mjs';

const WEB = dirname(fileURLToPath(import.meta.url));
const DIST = join(WEB, 'dist');
/** The gzipped JavaScript and CSS the browser downloads before the first screen. */
export const BUDGET_BYTES = 150 * 1024;

const out = mkdtempSync(join(WEB, '.dist-'));
chmodSync(out, 0o755);
try {
  const result = await esbuild.build({
    entryPoints: [join(WEB, 'src', 'main.js')],
    bundle: true,
    minify: process.env.NO_MINIFY ? false : true,
    format: 'esm',
    target: ['chrome111', 'edge111', 'firefox115', 'safari16'],
    outdir: join(out, 'assets'),
    entryNames: 'app-[hash]',
    // the administration pages are a chunk loaded when one opens (web/src/admin/load.js)
    splitting: true,
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    loader: { '.woff2': 'file' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });

  const outputs = Object.keys(result.metafile.outputs);
  const js = outputs.find((p) => p.endsWith('.js') && result.metafile.outputs[p].entryPoint);
  const css = outputs.find((p) => p.endsWith('.css'));
  const href = (p) => '/' + relative(out, p).split('\\').join('/');


  cpSync(join(WEB, 'public'), out, { recursive: true });

  const widget = await buildWidget(out);

  const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
  // the first screen downloads the entry and the chunks it imports statically; the chunks
  // only a dynamic import() reaches (the administration pages) come later
  const first = new Set();
  const visit = (p) => {
    if (first.has(p)) return;
    first.add(p);
    for (const next of result.metafile.outputs[p].imports) if (next.kind === 'import-statement') visit(next.path);
  };
  visit(js);
  // the chunks the entry imports are fetched with it, not after it has been read
  const preload = [...first]
    .filter((p) => p !== js)
    .map((p) => `<link rel="modulepreload" href="${href(p)}">`)
    .join('\n    ');
  const page = readFileSync(join(WEB, 'index.html'), 'utf8')
    .replace('%CSS%', href(css))
    .replace('%JS%', href(js))
    .replace('%PRELOAD%', preload);
  writeFileSync(join(out, 'index.html'), page);
  const later = outputs.filter((p) => p.endsWith('.js') && !first.has(p));
  const sizes = { js: [...first].reduce((sum, p) => sum + gz(p), 0), css: gz(css), later: later.reduce((sum, p) => sum + gz(p), 0) };
  sizes.total = sizes.js + sizes.css;
  writeFileSync(
    join(out, 'build.json'),
    JSON.stringify(
      {
        js: href(js),
        css: href(css),
        gzipped: sizes,
        budget: BUDGET_BYTES,
        widget: { js: '/widget.js', gzipped: widget.gzipped, budget: WIDGET_BUDGET_BYTES },
      },
      null,
      2,
    ),
  );

  // swap the folders: a server reading web/dist misses it only between two renames
  const previous = `${out}-previous`;
  if (existsSync(DIST)) renameSync(DIST, previous);
  renameSync(out, DIST);
  rmSync(previous, { recursive: true, force: true });

  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(
    `console built in web/dist: ${basename(js)} (+${first.size - 1} chunks) ${kb(sizes.js)} + ${basename(css)} ${kb(sizes.css)} ` +
      `gzipped = ${kb(sizes.total)} of the ${kb(BUDGET_BYTES)} budget; loaded later: ${kb(sizes.later)}`,
  );
  console.log(`chat widget built in web/dist: widget.js ${kb(widget.gzipped)} gzipped of the ${kb(WIDGET_BUDGET_BYTES)} budget`);
  if (sizes.total > BUDGET_BYTES) {
    console.error(`the console is over its budget: ${kb(sizes.total)} > ${kb(BUDGET_BYTES)}`);
    process.exit(1);
  }
  if (widget.gzipped > WIDGET_BUDGET_BYTES) {
    console.error(`the chat widget is over its budget: ${kb(widget.gzipped)} > ${kb(WIDGET_BUDGET_BYTES)}`);
    process.exit(1);
  }
} finally {
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
}
