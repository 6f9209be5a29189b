// Builds the chat widget: web/widget/widget.js -> <out>/widget.js, one self-contained
// script (an IIFE: it runs on any site, next to any other script) at a stable URL.
// Used by web/build.mjs; tests/unit/test_widget_budget.py builds it on its own:
//
//   node web/widget/build.mjs <folder>     prints {"path": ..., "gzipped": ..., "budget": ...}
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The widget loads on the company's pages, before its visitors do anything: 30 KB gzipped. */
export const WIDGET_BUDGET_BYTES = 30 * 1024;

/** Build into ``folder``/widget.js; returns {path, gzipped, budget}. */
export async function buildWidget(folder) {
  const path = join(folder, 'widget.js');
  await esbuild.build({
    entryPoints: [join(HERE, 'widget.js')],
    bundle: true,
    minify: true,
    format: 'iife',
    // the sites' visitors: browsers of the last years, not only the console's
    target: ['chrome100', 'edge100', 'firefox100', 'safari15'],
    outfile: path,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const gzipped = gzipSync(readFileSync(path), { level: 9 }).length;
  return { path, gzipped, budget: WIDGET_BUDGET_BYTES };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildWidget(resolve(process.argv[2] || join(HERE, '..', 'dist')));
  console.log(JSON.stringify(built));
  if (built.gzipped > WIDGET_BUDGET_BYTES) process.exit(1);
}
