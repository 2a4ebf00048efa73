#!/usr/bin/env node
// Joins the JSON results of separate `nla experiment mnist --param presentation=<T> [--param methods=…]`
// runs into one plot of test error against presentation time (x: log10 of the presentation time) and a
// Markdown table (BP = back-propagation, LA = lookahead). Results for the same presentation time are
// merged method by method (a later file adds the methods an earlier one did not run); files whose
// settings differ (training length, τ_in, step, seed) are refused.
// Beside <out.svg> it writes the learning curves of every presentation time, <out>-curves-<T>ms.svg.
// usage: npm run build && node scripts/mnist-summary.mjs <out.svg> <result.json>...
import { readFileSync, writeFileSync } from 'node:fs';
import { linePlot } from '../dist/report/svg-plot.js';

const [out, ...files] = process.argv.slice(2);
if (!out || files.length === 0) {
  process.stderr.write('usage: node scripts/mnist-summary.mjs <out.svg> <result.json>...\n');
  process.exit(2);
}
const METHODS = ['rtDeep', 'noLookahead', 'backprop', 'backpropPerStep'];
const byT = new Map();
for (const f of files) {
  const j = JSON.parse(readFileSync(f, 'utf8'));
  if (j.name !== 'mnist') throw new Error(`${f}: expected an mnist result, found '${j.name}'`);
  for (const r of j.data.results) {
    const row = byT.get(r.presentationMs) ?? { r: { presentationMs: r.presentationMs, dtMs: r.dtMs } };
    // everything that makes two runs at T comparable (the learners' own choice aside)
    const st = j.settings;
    const eta = st.etaPerMs?.[`${r.presentationMs} ms`];
    const key = JSON.stringify({ network: st.network, images: st.images, trainSamples: st.trainSamples, testSamples: st.testSamples, curveTestSamples: st.curveTestSamples, beta: st.beta, tauMs: st.tauMs, tauInMs: st.tauInMs, eta, weightInit: st.weightInit, seed: st.seed });
    row.key ??= key;
    row.eta ??= eta;
    if (row.key !== key) throw new Error(`${f}: settings at ${r.presentationMs} ms differ from another file's (${key} vs ${row.key}); join only runs of the same settings`);
    for (const m of METHODS) {
      if (r[m] === undefined) continue;
      if (row.r[m] !== undefined) throw new Error(`${f}: ${m} at ${r.presentationMs} ms is already in another file`);
      row.r[m] = r[m];
    }
    byT.set(r.presentationMs, row);
  }
}
const rows = [...byT.values()].sort((a, b) => a.r.presentationMs - b.r.presentationMs);
const pct = (v) => (v === undefined ? '—' : Math.round(v * 1000) / 10);
const series = (label, get, dashed = false) => {
  const have = rows.filter((o) => get(o.r) !== undefined);
  return { label, x: have.map((o) => Math.log10(o.r.presentationMs)), y: have.map((o) => pct(get(o.r))), dashed };
};
const svg = linePlot(
  [
    series('rt-DeEP, presented', (r) => r.rtDeep?.asPresented),
    series('rt-DeEP, settled', (r) => r.rtDeep?.settled),
    series('w/o LA, presented', (r) => r.noLookahead?.asPresented),
    series('w/o LA, settled', (r) => r.noLookahead?.settled),
    series('BP each dt, presented', (r) => r.backpropPerStep?.asPresented, true),
    series('BP each dt, settled', (r) => r.backpropPerStep?.settled, true),
    series('BP, clean images', (r) => r.backprop?.error, true),
  ].filter((s) => s.x.length > 0),
  { xLabel: 'log10(presentation time / ms)', yLabel: 'test error %', title: 'MNIST test error against presentation time' },
);
writeFileSync(out, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
const curveFiles = [];
for (const o of rows) {
  const r = o.r;
  const lines = [
    ['rt-DeEP', r.rtDeep],
    ['w/o lookahead', r.noLookahead],
    ['backprop each dt', r.backpropPerStep, true],
    ['backprop, clean images', r.backprop, true],
  ]
    .filter(([, m]) => m !== undefined)
    .map(([label, m, dashed]) => ({ label, x: m.curve.samples, y: m.curve.error.map((e) => pct(e)), dashed: dashed === true }));
  const file = out.replace(/\.svg$/, '') + `-curves-${r.presentationMs}ms.svg`;
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n${linePlot(lines, { xLabel: 'training presentations', yLabel: 'test error % (settled, curve subset)', title: `learning curves, ${r.presentationMs} ms presentation` })}\n`);
  curveFiles.push(file);
}
process.stdout.write(
  '| presentation | dt (ms) | η (1/ms) | rt-DeEP as presented % | rt-DeEP settled % | w/o lookahead as presented % | w/o lookahead settled % | backprop each dt as presented % | backprop each dt settled % | backprop clean images % |\n|---|---|---|---|---|---|---|---|---|---|\n',
);
for (const o of rows) {
  const r = o.r;
  const eta = o.eta;
  process.stdout.write(
    `| ${r.presentationMs} ms | ${r.dtMs} | ${Number(eta.toPrecision(3))} | ${pct(r.rtDeep?.asPresented)} | ${pct(r.rtDeep?.settled)} | ${pct(r.noLookahead?.asPresented)} | ${pct(r.noLookahead?.settled)} | ${pct(r.backpropPerStep?.asPresented)} | ${pct(r.backpropPerStep?.settled)} | ${pct(r.backprop?.error)} |\n`,
  );
}
process.stdout.write(`\nwrote ${[out, ...curveFiles].join(', ')}\n`);
