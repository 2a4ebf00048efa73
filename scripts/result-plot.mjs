#!/usr/bin/env node
// Copies one plot out of an experiment's HTML page into a standalone SVG file (for docs/results.md).
// usage: node scripts/result-plot.mjs <page.html> "<section heading>" <out.svg> [nth plot in the section, default 1]
import { readFileSync, writeFileSync } from 'node:fs';

const [page, heading, out, nth = '1'] = process.argv.slice(2);
if (!page || !heading || !out) {
  process.stderr.write('usage: node scripts/result-plot.mjs <page.html> "<section heading>" <out.svg> [n]\n');
  process.exit(2);
}
const html = readFileSync(page, 'utf8');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const at = html.indexOf(`<h2>${esc(heading)}</h2>`);
if (at < 0) {
  const found = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
  process.stderr.write(`${page}: no section headed '${heading}'; the sections are: ${found.join(' | ')}\n`);
  process.exit(2);
}
const end = html.indexOf('<h2>', at + 4);
let from = at;
let svg = null;
for (let k = 0; k < Number(nth); k++) {
  const s = html.indexOf('<svg', from);
  if (s < 0 || (end >= 0 && s > end)) break;
  const e = html.indexOf('</svg>', s) + '</svg>'.length;
  svg = html.slice(s, e);
  from = e;
}
if (!svg) {
  process.stderr.write(`${page}: section '${heading}' has fewer than ${nth} plot(s)\n`);
  process.exit(2);
}
writeFileSync(out, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
process.stdout.write(`wrote ${out} (${svg.length} bytes)\n`);
