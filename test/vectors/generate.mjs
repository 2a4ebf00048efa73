#!/usr/bin/env node
// Writes test/vectors/fixed-point-core.json: known-answer vectors of the board's fixed-point core
// (docs/protocol.md, sections 10 and 11), produced by the reference implementation in dist/ (run
// `npm run build` first). Format and the hand checks: test/vectors/README.md.
//
// The file is produced once and reviewed; test/board/fixed-point-vectors.test.ts replays it and never
// regenerates it. A change of the core's arithmetic therefore shows up as a failing test, not as a new
// vector file. Regenerate (--force) only for a deliberate, documented change of the board's arithmetic,
// and check the hand-derived values of the README again when you do.
//
// Usage: node test/vectors/generate.mjs [--force]
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = `${root}test/vectors/fixed-point-core.json`;
if (!existsSync(`${root}dist/hardware-models/fixed-point/core.js`)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
if (existsSync(out) && !process.argv.includes('--force')) {
  console.error(`${out} exists; the vectors are produced once. Pass --force to overwrite (see test/vectors/README.md).`);
  process.exit(2);
}

const dist = (p) => import(`${root}dist/${p}`);
const { validateSpec } = await dist('compiler/spec/validate.js');
const { buildGraph } = await dist('compiler/graph/build.js');
const { compileBoardImage } = await dist('compiler/board/compile-image.js');
const { FixedPointCore, NO_TARGET_Q } = await dist('hardware-models/fixed-point/core.js');
const { datapath, shr, toSignal, toWeight } = await dist('hardware-models/fixed-point/format.js');
const { decodeImage, encodeImage } = await dist('hardware-models/fixed-point/image-codec.js');

const L16 = 2 ** -16; // one Q3.16 LSB
const L28 = 2 ** -28; // one Q3.28 LSB
const ALL_PROBES = 15;

/**
 * Reals chosen where rounding modes differ: exact ties at +k.5 and −k.5 LSB (k even and odd), fractions
 * above and below one half, and values beyond the range (saturation). For Q3.16: 32768.5 → 32769 and
 * −16383.5 → −16383 hold only for round-half-up (⌊x + ½⌋); trunc, floor, half-even and half-away each
 * get at least one of the two wrong.
 */
const signalReals = [0, 0.5 * L16, -0.5 * L16, 1.5 * L16, -1.5 * L16, 32768.5 * L16, -16383.5 * L16, -16384.5 * L16, 0.3, -0.3, 0.7 * L16, -0.7 * L16, 7.99999, 8, 9, -8, -8.25, -100];
const weightReals = [0.5 * L28, -0.5 * L28, 2.5 * L28, -2.5 * L28, 0.7 * L28, -0.7 * L28, 0.3, -0.3, 80530636.5 * L28, -80530636.5 * L28, 0.75 + L16 / 2, -(0.5 + L16 / 2), 7.9999999999, 8, 8.5, -8, -9];
/** Registers whose low 12 bits are 0x800 (ties of the datapath's shr by 12), 0x7ff/0x801, and the int32 ends. */
const registers = [0, 2047, 2048, 2049, -2047, -2048, -2049, -2050, 6144, -6144, 201328640, -134219776, 80530637, -80530637, 2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 2048, 2 ** 31 - 2049];
/** shr(x, s) cases, including the two of docs/protocol.md 11.2. */
const shrCases = [[-3, 1], [-5, 1], [3, 1], [5, 1], [-1, 1], [1, 1], [-128, 8], [-129, 8], [127, 8], [128, 8], [-384, 8], [384, 8], [2 ** 40 + 2 ** 15, 16], [-(2 ** 40) - 2 ** 15, 16], [-(2 ** 40) - 2 ** 15 - 1, 16], [7, 0], [-7, 0]];

const conversions = {
  signal: signalReals.map((x) => [x, toSignal(x)]),
  weight: weightReals.map((x) => [x, toWeight(x)]),
  datapath: registers.map((w) => [w, datapath(w)]),
  shr: shrCases.map(([x, s]) => [x, s, shr(x, s)]),
};

/** The tiny case: one input, one linear output, K = 1, α = 1, one step per frame: derived by hand in the README. */
const tiny = {
  name: 'tiny',
  note: 'one input (τ_in 5 ms), one linear output (τ 10 ms), w = 0.75 + 2⁻¹⁷ (a datapath tie), dt = 0.1 ms, one step per frame, K = 1, s = 0, β = 0.1; frames 0 and 1 are derived by hand in test/vectors/README.md',
  spec: {
    format: 'nla-network/1',
    name: 'kat-tiny',
    seed: 1,
    tauMs: 10,
    tauInMs: 5,
    beta: 0.1,
    activation: 'linear',
    populations: [
      { name: 'in', kind: 'input', size: 1 },
      { name: 'out', kind: 'output', size: 1 },
    ],
    projections: [{ from: 'in', to: 'out', weights: [[0.75 + L16 / 2]] }],
  },
  compile: { dtMs: 0.1, frameMs: 0.1, iterations: 1, relaxShift: 0 },
  frames: [
    { inputsReal: [0.5 + L16 / 2] },
    { inputsReal: [0.5 + L16 / 2] },
    { inputsReal: [-16383.5 * L16] },
    { inputsReal: [-16383.5 * L16], targetsReal: [0.3] },
    { inputsReal: [0.25], targetsReal: [-0.2] },
    { inputsReal: [0.25], targetsReal: [null] },
  ],
};

/**
 * The mixed case: clip (hard sigmoid) hidden neurons, table (logistic) outputs, a bias, learning,
 * targets that appear, step and disappear, and a burst that saturates inputs (sat_S), states (sat_U),
 * increments (sat_D) and weight registers (int32).
 */
const mixed = {
  name: 'mixed',
  note: '2 inputs + bias → 3 hard-sigmoid hidden → 2 logistic outputs; weights with Q3.28 and datapath ties, negative values and saturated registers (8.5, −9); learning, targets, and a saturating input burst in frames 8–10',
  spec: {
    format: 'nla-network/1',
    name: 'kat-mixed',
    seed: 1,
    tauMs: 10,
    tauInMs: 5,
    beta: 0.5,
    plasticity: { enabled: true, etaPerMs: 0.05 },
    populations: [
      { name: 'in', kind: 'input', size: 2 },
      { name: 'h', kind: 'hidden', size: 3, activation: 'hard-sigmoid', bias: { values: [0.125, 0.25 + L16 / 2, -(0.0625 + L16 / 2)] } },
      { name: 'out', kind: 'output', size: 2, tauMs: 8, activation: 'logistic', bias: { values: [-0.3, 80530636.5 * L28] } },
    ],
    projections: [
      { from: 'in', to: 'h', weights: [[0.25 + L16 / 2, -(0.5 + L16 / 2)], [80530636.5 * L28, -9], [0.3, 8.5]] },
      { from: 'h', to: 'out', weights: [[0.6 + L16 / 2, -(0.45 + L16 / 2), -80530636.5 * L28], [-0.3, 0.7, 1.25 + 1.5 * L16]] },
    ],
  },
  compile: { dtMs: 0.1, frameMs: 0.5, iterations: 3, relaxShift: 3 },
  frames: [
    { inputsReal: [0.5 + L16 / 2, 0.05], learn: false },
    { inputsReal: [0.75, -16383.5 * L16], learn: false },
    { inputsReal: [0.75, 0.05], learn: false },
    { inputsReal: [0.2, 0.1], learn: false },
    { inputsReal: [0.2, 0.1], learn: true, targetsReal: [0.3, 0.6 + L16 / 2] },
    { inputsReal: [0.6, 0.02], learn: true },
    { inputsReal: [0.6, 0.02], learn: true, targetsReal: [0.5, -0.25] },
    { inputsReal: [0.4, 0.05], learn: true },
    { inputsReal: [0.4, 9], learn: false, targetsReal: [null, -0.25] },
    { inputsReal: [0.4, 9], learn: true },
    { inputsReal: [-8.25, -8.25], learn: true },
    { inputsReal: [0.4, 0.05], learn: true, targetsReal: [null, null] },
    { inputsReal: [0.4, 0.05], learn: false },
    { inputsReal: [0.4, 0.05], learn: false },
  ],
};

const q = (xs) => xs.map((x) => (x === null ? NO_TARGET_Q : toSignal(x)));

function runCase(c) {
  const graph = buildGraph(validateSpec(c.spec));
  const { image, warnings } = compileBoardImage(graph, c.compile);
  const bytes = encodeImage(image);
  const core = new FixedPointCore(decodeImage(bytes));
  const frames = c.frames.map((f) => {
    const inputs = q(f.inputsReal);
    const targets = f.targetsReal ? q(f.targetsReal) : null;
    const learn = f.learn ?? false;
    if (targets) core.setTargets(targets);
    const outputs = Array.from(core.frame(inputs, learn, ALL_PROBES));
    return {
      ...(targets ? { targetsReal: f.targetsReal, targets } : {}),
      inputsReal: f.inputsReal,
      inputs,
      learn,
      outputs,
      state: { u: Array.from(core.u), delta: Array.from(core.delta), rbarIn: Array.from(core.rbarIn), weights: core.weights.map((w) => Array.from(w)), saturations: core.saturations, frames: core.frames },
    };
  });
  return {
    name: c.name,
    note: c.note,
    spec: c.spec,
    compile: c.compile,
    warnings,
    image: {
      bytes: bytes.length,
      hex: Buffer.from(bytes).toString('hex'),
      stepsPerFrame: image.stepsPerFrame,
      iterations: image.iterations,
      relaxShift: image.relaxShift,
      betaQ16: image.betaQ16,
      decayQ24: image.populations.map((p) => [p.name, p.decayQ24]),
      etaDtQ24: image.projections.map((p) => [p.name, p.etaDtQ24]),
      registers: image.projections.map((p) => [p.name, Array.from(p.weights)]),
      datapath: image.projections.map((p) => [p.name, Array.from(p.weights, datapath)]),
    },
    probes: ALL_PROBES,
    frames,
  };
}

const vectors = {
  format: 'nla-fixed-point-vectors/1',
  about: 'Known-answer vectors of the NLA board core (docs/protocol.md sections 10 and 11); format and hand checks in test/vectors/README.md',
  generatedBy: 'test/vectors/generate.mjs',
  conversions,
  cases: [runCase(tiny), runCase(mixed)],
};

/** JSON with arrays of scalars on one line (the file is read by people too). */
function format(v, indent = '') {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
    const inner = indent + '  ';
    return `[\n${v.map((x) => inner + format(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v && typeof v === 'object') {
    const inner = indent + '  ';
    return `{\n${Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${format(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

writeFileSync(out, format(vectors) + '\n');
console.log(`wrote ${out}`);
