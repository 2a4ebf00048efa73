#!/usr/bin/env node
// Joins the JSON results of separate `nla experiment mnist --param presentation=<T>` runs into one plot of
// test error against presentation time (x: log10 of the presentation time) and a Markdown table.
// (LA = lookahead.) usage: npm run build && node scripts/mnist-summary.mjs <out.svg> <result.json>...
import { readFileSync, writeFileSync } from 'node:fs';
import { linePlot } from '../dist/report/svg-plot.js';

const [out, ...files] = process.argv.slice(2);
if (!out || files.length === 0) {
  process.stderr.write('usage: node scripts/mnist-summary.mjs <out.svg> <result.json>...\n');
  process.exit(2);
}
const rows = [];
for (const f of files) {
  const j = JSON.parse(readFileSync(f, 'utf8'));
  if (j.name !== 'mnist') throw new Error(`${f}: expected an mnist result, found '${j.name}'`);
  for (const r of j.data.results) rows.push({ r, trainSamples: j.settings.trainSamples, wallS: j.wallS, command: j.command });
}
rows.sort((a, b) => a.r.presentationMs - b.r.presentationMs);
const x = rows.map((o) => Math.log10(o.r.presentationMs));
const pct = (v) => Math.round(v * 1000) / 10;
const svg = linePlot(
  [
    { label: 'rt-DeEP, as presented', x, y: rows.map((o) => pct(o.r.rtDeep.asPresented)) },
    { label: 'rt-DeEP, settled', x, y: rows.map((o) => pct(o.r.rtDeep.settled)) },
    { label: 'w/o LA, as presented', x, y: rows.map((o) => pct(o.r.noLookahead.asPresented)) },
    { label: 'w/o LA, settled', x, y: rows.map((o) => pct(o.r.noLookahead.settled)) },
    { label: 'back-propagation', x, y: rows.map((o) => pct(o.r.backprop.error)), dashed: true },
  ],
  { xLabel: 'log10(presentation time / ms)', yLabel: 'test error %', title: 'MNIST test error against presentation time' },
);
writeFileSync(out, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
process.stdout.write('| presentation | dt (ms) | η (1/ms) | rt-DeEP as presented % | rt-DeEP settled % | w/o lookahead as presented % | w/o lookahead settled % | back-propagation % | wall time |\n|---|---|---|---|---|---|---|---|---|\n');
for (const o of rows) {
  const r = o.r;
  const eta = r.backprop.learningRate / (0.1 * r.presentationMs);
  process.stdout.write(`| ${r.presentationMs} ms | ${r.dtMs} | ${Number(eta.toPrecision(3))} | ${pct(r.rtDeep.asPresented)} | ${pct(r.rtDeep.settled)} | ${pct(r.noLookahead.asPresented)} | ${pct(r.noLookahead.settled)} | ${pct(r.backprop.error)} | ${Math.round(o.wallS / 60)} min |\n`);
}
process.stdout.write(`\nwrote ${out}\n`);
