import { Checker, describe, join } from '../../core/checker.js';
import { SpecError } from '../../core/errors.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { ACTIVATION_KINDS } from '../../core/activation.js';
import { CIRCUIT_FORMAT, type CircuitIR } from './ir.js';
import { readsVoltage } from './passes/top-down.js';

type PopKind = 'input' | 'bias' | 'hidden' | 'output' | 'interneuron';
type Pops = Map<string, { kind: PopKind; size: number }>;

/**
 * Validates a circuit IR read from a file (`nla-circuit/1`): every component must be known, every value
 * present, finite and physical (capacitances and conductances > 0, rails ordered), and every reference
 * must resolve: each neuron, input and interneuron of every population exists exactly once
 * (`population[index]`), arrays connect existing populations of the right kind with matching shapes,
 * `feedbackOf` names a forward array of the transposed shape, codes and masks have the array's shape;
 * the error path agrees with the feedback mode and the separate arrays' plasticity, and only arrays that read
 * a presynaptic voltage carry a rate or depressing pools.
 * Errors name the JSON path: `neurons[3].membrane.capacitanceF: expected a number > 0 (F), got -1e-12`.
 */
export function validateCircuit(raw: unknown, file?: string): CircuitIR {
  const c = new Checker();
  const o = c.object('', raw);
  if (!o) throw new SpecError(c.issues, file, 'compiled circuit');
  c.onlyFields('', o, ['format', 'network', 'profile', 'seed', 'timeScale', 'voltsPerUnit', 'structure', 'inputs', 'neurons', 'interneurons', 'arrays', 'reports']);
  if (o.format !== CIRCUIT_FORMAT) c.fail('format', `expected '${CIRCUIT_FORMAT}', got ${describe(o.format)}`);
  c.string('network', o.network);
  c.number('seed', o.seed, { integer: true, min: 0 });
  c.number('timeScale', o.timeScale, { positive: true, unit: 's per model ms' });
  c.number('voltsPerUnit', o.voltsPerUnit, { positive: true, unit: 'V' });
  c.array('reports', o.reports);
  try {
    validateProfile(o.profile);
  } catch (e) {
    if (e instanceof SpecError) for (const i of e.issues) c.fail(join('profile', i.path), i.message);
    else throw e;
  }
  const pops = checkStructure(c, o.structure);
  checkComponents(c, 'neurons', o.neurons, pops, ['hidden', 'output'], checkNeuron);
  checkCircuitKind(c, o.profile, o.neurons);
  checkComponents(c, 'inputs', o.inputs, pops, ['input'], (cc, path, n) => {
    cc.onlyFields(path, n, ['realises', 'population', 'index', 'resistanceOhm', 'capacitanceF']);
    cc.number(join(path, 'resistanceOhm'), n.resistanceOhm, { positive: true, unit: 'Ω' });
    cc.number(join(path, 'capacitanceF'), n.capacitanceF, { positive: true, unit: 'F' });
  });
  checkComponents(c, 'interneurons', o.interneurons ?? [], pops, ['interneuron'], (cc, path, n) => {
    cc.onlyFields(path, n, ['realises', 'population', 'index', 'leakConductanceS']);
    cc.number(join(path, 'leakConductanceS'), n.leakConductanceS, { positive: true, unit: 'S' });
  });
  checkArrays(c, o.arrays, pops);
  if (!c.issues.length) checkTopDown(c, o as unknown as CircuitIR);
  if (c.issues.length) throw new SpecError(c.issues, file, 'compiled circuit');
  return o as unknown as CircuitIR;
}

/** structure: β, feedback, flags and the populations (names unique, interneurons serving hidden populations). */
function checkStructure(c: Checker, v: unknown): Pops {
  const pops: Pops = new Map();
  const st = c.object('structure', v);
  if (!st) return pops;
  c.onlyFields('structure', st, ['beta', 'betaInterneuron', 'feedback', 'feedbackArray', 'errorPath', 'layered', 'plasticityEnabled', 'populations']);
  c.oneOf('structure.errorPath', st.errorPath, ['transpose-shared', 'transpose-mirrored', 'transpose-fixed', 'random', 'microcircuit'] as const);
  c.number('structure.beta', st.beta, { min: 0 });
  c.number('structure.betaInterneuron', st.betaInterneuron, { min: 0 });
  c.oneOf('structure.feedback', st.feedback, ['transpose', 'random', 'microcircuit'] as const);
  c.oneOf('structure.feedbackArray', st.feedbackArray, ['exact', 'separate'] as const);
  for (const key of ['layered', 'plasticityEnabled']) if (typeof st[key] !== 'boolean') c.fail(`structure.${key}`, `expected true or false, got ${describe(st[key])}`);
  const list = c.array('structure.populations', st.populations) ?? [];
  list.forEach((pv, i) => {
    const path = `structure.populations[${i}]`;
    const p = c.object(path, pv);
    if (!p) return;
    const kind = c.oneOf(join(path, 'kind'), p.kind, ['input', 'bias', 'hidden', 'output', 'interneuron'] as const);
    const name = c.string(join(path, 'name'), p.name);
    const size = c.number(join(path, 'size'), p.size, { integer: true, min: 1 });
    if (kind === 'hidden' || kind === 'output') c.oneOf(join(path, 'activation.kind'), (p.activation as { kind?: unknown } | undefined)?.kind, ACTIVATION_KINDS);
    if (name !== undefined && pops.has(name)) c.fail(join(path, 'name'), `population '${name}' is declared twice`);
    else if (name !== undefined && kind !== undefined && size !== undefined) pops.set(name, { kind, size });
  });
  list.forEach((pv, i) => {
    const p = pv as { kind?: unknown; serves?: unknown; above?: unknown } | null;
    if (p?.kind !== 'interneuron') return;
    for (const key of ['serves', 'above'] as const) {
      const target = pops.get(String(p[key]));
      if (!target || (target.kind !== 'hidden' && target.kind !== 'output')) c.fail(`structure.populations[${i}].${key}`, `expected the name of a hidden or output population, got ${describe(p[key])}`);
    }
  });
  return pops;
}

/**
 * One component list (neurons, inputs or interneurons): every entry names `population[index]` of a
 * population of one of `kinds`, and every index of every such population appears exactly once.
 */
function checkComponents(
  c: Checker,
  list: string,
  v: unknown,
  pops: Pops,
  kinds: PopKind[],
  checkOne: (c: Checker, path: string, n: Record<string, unknown>) => void,
): void {
  const seen = new Map<string, number>();
  (c.array(list, v) ?? []).forEach((nv, i) => {
    const path = `${list}[${i}]`;
    const n = c.object(path, nv);
    if (!n) return;
    const pop = c.string(join(path, 'population'), n.population);
    const info = pop !== undefined ? pops.get(pop) : undefined;
    if (pop !== undefined && pops.size && (!info || !kinds.includes(info.kind))) c.fail(join(path, 'population'), `expected a ${kinds.join(' or ')} population of structure.populations, got '${pop}'`);
    const index = c.number(join(path, 'index'), n.index, { integer: true, min: 0, ...(info ? { max: info.size - 1 } : {}) });
    const label = pop !== undefined && index !== undefined ? `${pop}[${index}]` : undefined;
    if (label !== undefined && n.realises !== label) c.fail(join(path, 'realises'), `expected '${label}' (its population and index), got ${describe(n.realises)}`);
    if (label !== undefined) {
      const before = seen.get(label);
      if (before !== undefined) c.fail(path, `${label} is already realised by ${list}[${before}]`);
      else seen.set(label, i);
    }
    checkOne(c, path, n);
  });
  if (!Array.isArray(v)) return;
  for (const [name, p] of pops) {
    if (!kinds.includes(p.kind)) continue;
    const missing: string[] = [];
    for (let j = 0; j < p.size; j++) if (!seen.has(`${name}[${j}]`)) missing.push(`${name}[${j}]`);
    if (missing.length) c.fail(list, `no entry realises ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} (population '${name}' has ${p.size})`);
  }
}

function checkNeuron(c: Checker, path: string, n: Record<string, unknown>): void {
  c.onlyFields(path, n, ['realises', 'population', 'index', 'membrane', 'transfer', 'rateUnit', 'errorUnit', 'nudgeConductanceS', 'noisePsdA2PerHz', 'dpi']);
  const m = c.object(join(path, 'membrane'), n.membrane);
  if (m) {
    c.onlyFields(join(path, 'membrane'), m, ['capacitanceF', 'leakConductanceS', 'restV', 'railLowV', 'railHighV']);
    c.number(join(path, 'membrane.capacitanceF'), m.capacitanceF, { positive: true, unit: 'F' });
    c.number(join(path, 'membrane.leakConductanceS'), m.leakConductanceS, { positive: true, unit: 'S' });
    c.number(join(path, 'membrane.restV'), m.restV, { unit: 'V' });
    const lo = c.number(join(path, 'membrane.railLowV'), m.railLowV, { unit: 'V' });
    const hi = c.number(join(path, 'membrane.railHighV'), m.railHighV, { unit: 'V' });
    if (lo !== undefined && hi !== undefined && !(hi > lo)) c.fail(join(path, 'membrane.railHighV'), `expected a rail above railLowV (${lo} V), got ${hi} V`);
  }
  const t = c.object(join(path, 'transfer'), n.transfer);
  if (t) {
    c.number(join(path, 'transfer.gain'), t.gain, { positive: true });
    c.number(join(path, 'transfer.offsetV'), t.offsetV, { unit: 'V' });
  }
  unit(c, join(path, 'rateUnit'), n.rateUnit);
  unit(c, join(path, 'errorUnit'), n.errorUnit);
  c.number(join(path, 'nudgeConductanceS'), n.nudgeConductanceS, { min: 0, unit: 'S' });
  c.number(join(path, 'noisePsdA2PerHz'), n.noisePsdA2PerHz, { min: 0, unit: 'A²/Hz' });
  if (n.dpi !== undefined) checkDpi(c, join(path, 'dpi'), n.dpi);
}

/** Every neuron has a DPI pair on a translinear profile, none on a linear one (the first offender is named). */
function checkCircuitKind(c: Checker, profile: unknown, neurons: unknown): void {
  if (!Array.isArray(neurons)) return;
  const translinear = (profile as { circuit?: { kind?: unknown } } | null)?.circuit?.kind === 'translinear';
  const k = neurons.findIndex((n) => ((n as { dpi?: unknown } | null)?.dpi !== undefined) !== translinear);
  if (k >= 0) c.fail(`neurons[${k}].dpi`, translinear ? `expected a DPI pair: profile.circuit.kind is 'translinear'` : `expected none: profile.circuit.kind is 'linear'`);
}

/** A translinear neuron's DPI pair: every current > 0 A, 0 < κ ≤ 1, T > 0 K, the common mode above each half's I_th/I_unit. */
function checkDpi(c: Checker, path: string, v: unknown): void {
  const d = c.object(path, v);
  if (!d) return;
  c.onlyFields(path, d, ['kappa', 'temperatureK', 'unitCurrentA', 'commonModeUnits', 'designGain', 'plus', 'minus']);
  c.number(join(path, 'kappa'), d.kappa, { positive: true, max: 1 });
  c.number(join(path, 'temperatureK'), d.temperatureK, { positive: true, unit: 'K' });
  const unitA = c.number(join(path, 'unitCurrentA'), d.unitCurrentA, { positive: true, unit: 'A' });
  const m = c.number(join(path, 'commonModeUnits'), d.commonModeUnits, { positive: true, unit: 'units' });
  c.number(join(path, 'designGain'), d.designGain, { positive: true });
  for (const side of ['plus', 'minus']) {
    const sp = join(path, side);
    const h = c.object(sp, d[side]);
    if (!h) continue;
    c.onlyFields(sp, h, ['tauCurrentA', 'thresholdCurrentA', 'inputScale']);
    c.number(join(sp, 'tauCurrentA'), h.tauCurrentA, { positive: true, unit: 'A' });
    const th = c.number(join(sp, 'thresholdCurrentA'), h.thresholdCurrentA, { positive: true, unit: 'A' });
    c.number(join(sp, 'inputScale'), h.inputScale, { positive: true });
    if (th !== undefined && unitA !== undefined && m !== undefined && !(m > th / unitA)) c.fail(join(path, 'commonModeUnits'), `expected more than ${side}.thresholdCurrentA/unitCurrentA = ${th / unitA} units, got ${m}`);
  }
}

function unit(c: Checker, path: string, v: unknown): void {
  const u = c.object(path, v);
  if (!u) return;
  const kind = c.oneOf(join(path, 'kind'), u.kind, ['exact', 'current-sensing', 'lead'] as const);
  if (kind === 'current-sensing') c.number(join(path, 'lookaheadS'), u.lookaheadS, { positive: true, unit: 's' });
  if (kind === 'lead') {
    c.number(join(path, 'leadS'), u.leadS, { positive: true, unit: 's' });
    c.number(join(path, 'poleS'), u.poleS, { positive: true, unit: 's' });
    c.number(join(path, 'maxOut'), u.maxOut, { positive: true });
  }
}

const ENDPOINT_TYPE: Record<PopKind, 'input' | 'neuron' | 'interneuron'> = { input: 'input', bias: 'input', hidden: 'neuron', output: 'neuron', interneuron: 'interneuron' };

/** arrays: endpoints, shapes, realisation, codes, mask, plasticity, and feedbackOf resolving to a forward array. */
function checkArrays(c: Checker, v: unknown, pops: Pops): void {
  const list = c.array('arrays', v) ?? [];
  const byName = new Map<string, { index: number; role: unknown; rows: unknown; cols: unknown }>();
  list.forEach((av, i) => {
    const a = av as Record<string, unknown> | null;
    if (a && typeof a === 'object' && typeof a.realises === 'string') {
      if (byName.has(a.realises)) c.fail(`arrays[${i}].realises`, `array '${a.realises}' is already arrays[${byName.get(a.realises)!.index}]`);
      else byName.set(a.realises, { index: i, role: a.role, rows: a.rows, cols: a.cols });
    }
  });
  list.forEach((av, i) => {
    const path = `arrays[${i}]`;
    const a = c.object(path, av);
    if (!a) return;
    c.onlyFields(path, a, ['realises', 'role', 'pre', 'post', 'feedbackOf', 'rows', 'cols', 'realisation', 'lsbWeight', 'conductanceS', 'codes', 'mask', 'plastic', 'carrier']);
    c.string(join(path, 'realises'), a.realises);
    c.oneOf(join(path, 'role'), a.role, ['forward', 'feedback', 'pyr-to-int', 'int-to-pyr', 'int-nudge'] as const);
    const cols = endpoint(c, path, 'pre', a.pre, pops);
    const rows = endpoint(c, path, 'post', a.post, pops);
    const r = c.number(join(path, 'rows'), a.rows, { integer: true, min: 1 });
    const k = c.number(join(path, 'cols'), a.cols, { integer: true, min: 1 });
    if (rows !== undefined && r !== undefined && rows !== r) c.fail(join(path, 'rows'), `expected ${rows} (the size of ${(a.post as { population: string }).population}), got ${r}`);
    if (cols !== undefined && k !== undefined && cols !== k) c.fail(join(path, 'cols'), `expected ${cols} (the size of ${(a.pre as { population: string }).population}), got ${k}`);
    c.number(join(path, 'lsbWeight'), a.lsbWeight, { min: 0 });
    const realisation = checkRealisation(c, join(path, 'realisation'), a.realisation);
    if (r !== undefined && k !== undefined) {
      c.matrix(join(path, 'conductanceS'), a.conductanceS, r, k);
      if (realisation === 'dac') {
        const bits = (a.realisation as { bits?: unknown }).bits;
        const top = typeof bits === 'number' && Number.isInteger(bits) ? 2 ** bits - 1 : Infinity;
        checkIntegerMatrix(c, join(path, 'codes'), a.codes, r, k, `a DAC code, an integer in ±${top} (${String(bits)} bits + sign)`, (x) => Math.abs(x) <= top);
      }
      else if (realisation !== undefined && a.codes !== null) c.fail(join(path, 'codes'), `expected null (codes belong to dac arrays), got ${describe(a.codes)}`);
      if (a.mask !== null) checkIntegerMatrix(c, join(path, 'mask'), a.mask, r, k, 'a 0/1 mask or null', (x) => x === 0 || x === 1);
    }
    if (a.plastic !== null) checkPlastic(c, join(path, 'plastic'), a.plastic);
    if (k !== undefined) checkCarrier(c, join(path, 'carrier'), a.carrier, k, (a.pre as { type?: unknown } | null)?.type);
    if (a.feedbackOf !== null) {
      const f = typeof a.feedbackOf === 'string' ? byName.get(a.feedbackOf) : undefined;
      if (!f || f.role !== 'forward') c.fail(join(path, 'feedbackOf'), `expected null or the name of a forward array, got ${describe(a.feedbackOf)}`);
      else if (r !== undefined && k !== undefined && (f.rows !== k || f.cols !== r)) c.fail(join(path, 'feedbackOf'), `'${a.feedbackOf}' is ${String(f.rows)}×${String(f.cols)}; a feedback array for it must be its transpose, ${String(f.cols)}×${String(f.rows)}, got ${r}×${k}`);
    }
  });
}

/** pre or post: a known population whose kind matches the endpoint type; returns its size. */
function endpoint(c: Checker, path: string, key: 'pre' | 'post', v: unknown, pops: Pops): number | undefined {
  const e = c.object(join(path, key), v);
  if (!e) return undefined;
  const type = c.oneOf(join(path, `${key}.type`), e.type, key === 'pre' ? (['input', 'neuron', 'interneuron'] as const) : (['neuron', 'interneuron'] as const));
  const name = c.string(join(path, `${key}.population`), e.population);
  if (name === undefined || !pops.size) return undefined;
  const p = pops.get(name);
  if (!p) return c.fail(join(path, `${key}.population`), `unknown population '${name}'`);
  if (type !== undefined && ENDPOINT_TYPE[p.kind] !== type) return c.fail(join(path, `${key}.type`), `'${name}' is a ${p.kind} population (type '${ENDPOINT_TYPE[p.kind]}'), got '${type}'`);
  return p.size;
}

function checkRealisation(c: Checker, path: string, v: unknown): string | undefined {
  const real = c.object(path, v);
  if (!real) return undefined;
  const kind = c.oneOf(join(path, 'kind'), real.kind, ['ideal', 'dac', 'conductance'] as const);
  if (kind === 'dac') {
    c.number(join(path, 'bits'), real.bits, { integer: true, min: 1, max: 24 });
    if (real.fullScale !== 'auto') c.number(join(path, 'fullScale'), real.fullScale, { positive: true });
  }
  if (kind === 'conductance') c.oneOf(join(path, 'series'), real.series, ['E24', 'E96', 'continuous'] as const);
  return kind;
}

function checkIntegerMatrix(c: Checker, path: string, v: unknown, rows: number, cols: number, what: string, allowed: (x: number) => boolean = () => true): void {
  const m = c.matrix(path, v, rows, cols);
  if (!m) return;
  for (let i = 0; i < m.length; i++) {
    const j = m[i]!.findIndex((x) => !Number.isInteger(x) || !allowed(x));
    if (j >= 0) {
      c.fail(`${path}[${i}][${j}]`, `expected ${what}, got ${m[i]![j]}`);
      return;
    }
  }
}

/** What `errorPath` requires of `feedback` and `feedbackArray`. */
const ERROR_PATHS: Record<CircuitIR['structure']['errorPath'], [CircuitIR['structure']['feedback'], 'exact' | 'separate']> = {
  'transpose-shared': ['transpose', 'exact'],
  'transpose-mirrored': ['transpose', 'separate'],
  'transpose-fixed': ['transpose', 'separate'],
  random: ['random', 'separate'],
  microcircuit: ['microcircuit', 'separate'],
};

/**
 * Cross-checks of a circuit whose fields are all well-formed: the error path matches the feedback mode; a
 * separate error array (`feedbackOf` set, exact NLA) is plastic exactly when the path is mirrored and its
 * forward array is plastic, with the same learning rate; a carrier other than `wire` sits only on an array
 * that reads a presynaptic voltage (top-down.ts readsVoltage).
 */
function checkTopDown(c: Checker, ir: CircuitIR): void {
  const st = ir.structure;
  const [feedback, arrays] = ERROR_PATHS[st.errorPath];
  if (st.feedback !== feedback || (feedback === 'transpose' && st.feedbackArray !== arrays)) {
    c.fail('structure.errorPath', `'${st.errorPath}' needs feedback '${feedback}'${feedback === 'transpose' ? ` with feedbackArray '${arrays}'` : ''}, got feedback '${st.feedback}', feedbackArray '${st.feedbackArray}'`);
  }
  const byName = new Map(ir.arrays.map((a) => [a.realises, a]));
  ir.arrays.forEach((a, i) => {
    const path = `arrays[${i}]`;
    if (a.carrier.kind !== 'wire' && !readsVoltage(st.feedback, a.role, a.pre.type)) {
      c.fail(join(path, 'carrier.kind'), `expected 'wire': ${a.realises} (role ${a.role}) reads ${a.role === 'forward' || a.role === 'pyr-to-int' ? 'rates' : 'errors or interneuron voltages'}, not a presynaptic neuron's voltage; got '${a.carrier.kind}'`);
    }
    if (st.feedback !== 'transpose' || a.feedbackOf === null) return;
    const fwd = byName.get(a.feedbackOf)!;
    const mirrored = st.errorPath === 'transpose-mirrored' && fwd.plastic !== null;
    if (mirrored && (a.plastic === null || a.plastic.learningRatePerS !== fwd.plastic!.learningRatePerS)) {
      c.fail(join(path, 'plastic'), `expected the plasticity of ${fwd.realises} at its learning rate ${fwd.plastic!.learningRatePerS} /s (error path 'transpose-mirrored'), got ${a.plastic === null ? 'null' : `${a.plastic.learningRatePerS} /s`}`);
    }
    if (!mirrored && a.plastic !== null) c.fail(join(path, 'plastic'), `expected null: error path '${st.errorPath}'${fwd.plastic === null ? ` and ${fwd.realises} is not plastic` : ''}`);
  });
}

/** The carrier: `wire`, or for arrays reading neurons `rate` or `depressing` with one pool per column (τ_rec > 0 s, a ≥ 0, d > 0). */
function checkCarrier(c: Checker, path: string, v: unknown, cols: number, preType: unknown): void {
  const o = c.object(path, v);
  if (!o) return;
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['wire', 'rate', 'depressing'] as const);
  if (kind !== 'depressing') {
    c.onlyFields(path, o, ['kind']);
  } else {
    c.onlyFields(path, o, ['kind', 'recoveryS', 'a', 'd']);
    const vec = (key: string, opts: { positive?: boolean; min?: number; unit?: string }) => {
      const list = c.array(join(path, key), o[key]);
      if (!list) return;
      if (list.length !== cols) c.fail(join(path, key), `expected one value per column (${cols}), got ${list.length}`);
      list.forEach((x, i) => c.number(`${join(path, key)}[${i}]`, x, opts));
    };
    vec('recoveryS', { positive: true, unit: 's' });
    vec('a', { min: 0 });
    vec('d', { positive: true });
  }
  if (kind !== undefined && kind !== 'wire' && preType !== 'neuron') c.fail(join(path, 'kind'), `expected 'wire': only arrays reading neurons carry rates, got '${kind}' on an array reading type ${describe(preType)}`);
}

function checkPlastic(c: Checker, path: string, v: unknown): void {
  const p = c.object(path, v);
  if (!p) return;
  const kind = c.oneOf(join(path, 'kind'), p.kind, ['ideal', 'analog', 'digital'] as const);
  c.number(join(path, 'learningRatePerS'), p.learningRatePerS, { min: 0, unit: '1/s' });
  if (kind === 'analog') c.number(join(path, 'leakTauS'), p.leakTauS, { positive: true, unit: 's' });
  if (kind === 'digital') {
    c.number(join(path, 'updatePeriodS'), p.updatePeriodS, { positive: true, unit: 's' });
    if (typeof p.stochasticRounding !== 'boolean') c.fail(join(path, 'stochasticRounding'), `expected true or false, got ${describe(p.stochasticRounding)}`);
  }
}
