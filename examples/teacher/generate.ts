/**
 * Regenerates the bundled example's input and target files (examples/teacher/*.csv):
 *   npm run build && node dist/examples/teacher/generate.js
 *
 * Inputs: 6 rate channels, each a sum of three sinusoids with random periods (150–900 ms) and phases,
 * kept in [0, 1]. Targets: the output voltages of a *teacher* network with the student's architecture and
 * its own random weights (seed 7), driven by the same inputs low-pass filtered with τ_in, i.e. the mapping
 * the student has to learn. Everything is drawn from the seeds below.
 */
import { writeFileSync } from 'node:fs';
import { readJsonFile } from '../../core/json-file.js';
import { Rng } from '../../core/rng.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';

const here = new URL('../../../examples/teacher/', import.meta.url);
const durationMs = 30_000;
const rowEveryMs = 5;

const rng = new Rng(2024);
const channels = 6;
const waves = Array.from({ length: channels }, () =>
  Array.from({ length: 3 }, () => ({ period: 150 + 750 * rng.uniform(), phase: 2 * Math.PI * rng.uniform(), amp: 0.12 + 0.1 * rng.uniform() })),
);
const rate = (t: number, c: number) => Math.min(1, Math.max(0, 0.5 + waves[c]!.reduce((s, w) => s + w.amp * Math.sin((2 * Math.PI * t) / w.period + w.phase), 0)));

const raw = readJsonFile(new URL('network.json', here).pathname) as Record<string, unknown>;
raw.seed = 7;
raw.beta = 0;
raw.init = { distribution: 'normal', mean: 0, std: 0.6, cutoff: 1.5 };
const teacher = buildGraph(validateSpec(raw));

const input = new FunctionSignal(channels, rate);
const sim = new DigitalSimulator(teacher, { dtMs: 0.1, learn: false, init: 'equilibrium' });
const drive = new SignalDrive(input);
const inRows: string[] = [['t', ...Array.from({ length: channels }, (_, i) => `in[${i}]`)].join(',')];
const outRows: string[] = [['t', ...Array.from(teacher.outputs, (_, i) => `out[${i}]`)].join(',')];
const steps = Math.round(durationMs / 0.1);
const every = Math.round(rowEveryMs / 0.1);
for (let s = 0; s <= steps; s++) {
  sim.step(drive, (m) => {
    if (s % every !== 0) return;
    const t = Number(m.tMs.toFixed(3));
    const vals = new Float64Array(channels);
    input.value(m.tMs, vals, 0);
    inRows.push([t, ...Array.from(vals, (v) => v.toFixed(5))].join(','));
    outRows.push([t, ...Array.from(teacher.outputs, (o) => m.workspace.u[o]!.toFixed(5))].join(','));
  });
}
writeFileSync(new URL('input.csv', here), inRows.join('\n') + '\n');
writeFileSync(new URL('target.csv', here), outRows.join('\n') + '\n');
console.log(`wrote ${inRows.length - 1} rows of input and target to ${here.pathname}`);
