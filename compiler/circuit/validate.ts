import { Checker, describe, join } from '../../core/checker.js';
import { SpecError } from '../../core/errors.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { ACTIVATION_KINDS } from '../../core/activation.js';
import { CIRCUIT_FORMAT, type CircuitIR } from './ir.js';

/**
 * Validates a circuit IR read from a file (`nla-circuit/1`): every component must be known, every value
 * present, finite and physical (capacitances and conductances > 0, rails ordered), every array's shape
 * must match its populations. Errors name the JSON path: `neurons[3].membrane.capacitanceF: expected a
 * number > 0 (F), got -1e-12`.
 */
export function validateCircuit(raw: unknown, file?: string): CircuitIR {
  const c = new Checker();
  const o = c.object('', raw);
  if (!o) throw new SpecError(c.issues, file);
  c.onlyFields('', o, ['format', 'network', 'profile', 'seed', 'timeScale', 'voltsPerUnit', 'structure', 'inputs', 'neurons', 'interneurons', 'arrays', 'reports']);
  if (o.format !== CIRCUIT_FORMAT) c.fail('format', `expected '${CIRCUIT_FORMAT}', got ${describe(o.format)}`);
  c.string('network', o.network);
  c.number('seed', o.seed, { integer: true, min: 0 });
  c.number('timeScale', o.timeScale, { positive: true, unit: 's per model ms' });
  c.number('voltsPerUnit', o.voltsPerUnit, { positive: true, unit: 'V' });
  try {
    validateProfile(o.profile);
  } catch (e) {
    if (e instanceof SpecError) for (const i of e.issues) c.fail(join('profile', i.path), i.message);
    else throw e;
  }
  const sizes = new Map<string, { kind: string; size: number }>();
  const st = c.object('structure', o.structure);
  if (st) {
    c.number('structure.beta', st.beta, { min: 0 });
    c.oneOf('structure.feedback', st.feedback, ['transpose', 'random', 'microcircuit'] as const);
    c.oneOf('structure.feedbackArray', st.feedbackArray, ['exact', 'separate'] as const);
    (c.array('structure.populations', st.populations) ?? []).forEach((pv, i) => {
      const path = `structure.populations[${i}]`;
      const p = c.object(path, pv);
      if (!p) return;
      const kind = c.oneOf(join(path, 'kind'), p.kind, ['input', 'bias', 'hidden', 'output', 'interneuron'] as const);
      const name = c.string(join(path, 'name'), p.name) ?? '';
      const size = c.number(join(path, 'size'), p.size, { integer: true, min: 1 }) ?? 0;
      if (kind === 'hidden' || kind === 'output') c.oneOf(join(path, 'activation.kind'), (p.activation as { kind?: unknown } | undefined)?.kind, ACTIVATION_KINDS);
      sizes.set(name, { kind: kind ?? '', size });
    });
  }
  const pos = (path: string, v: unknown, unit: string) => c.number(path, v, { positive: true, unit });
  (c.array('neurons', o.neurons) ?? []).forEach((nv, i) => {
    const path = `neurons[${i}]`;
    const n = c.object(path, nv);
    if (!n) return;
    c.onlyFields(path, n, ['realises', 'population', 'index', 'membrane', 'transfer', 'rateUnit', 'errorUnit', 'nudgeConductanceS', 'noisePsdA2PerHz']);
    c.string(join(path, 'realises'), n.realises);
    const m = c.object(join(path, 'membrane'), n.membrane);
    if (m) {
      c.onlyFields(join(path, 'membrane'), m, ['capacitanceF', 'leakConductanceS', 'restV', 'railLowV', 'railHighV']);
      pos(join(path, 'membrane.capacitanceF'), m.capacitanceF, 'F');
      pos(join(path, 'membrane.leakConductanceS'), m.leakConductanceS, 'S');
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
  });
  (c.array('inputs', o.inputs) ?? []).forEach((iv, i) => {
    const path = `inputs[${i}]`;
    const n = c.object(path, iv);
    if (!n) return;
    pos(join(path, 'resistanceOhm'), n.resistanceOhm, 'Ω');
    pos(join(path, 'capacitanceF'), n.capacitanceF, 'F');
  });
  (c.array('interneurons', o.interneurons ?? []) ?? []).forEach((iv, i) => {
    const n = c.object(`interneurons[${i}]`, iv);
    if (n) pos(`interneurons[${i}].leakConductanceS`, n.leakConductanceS, 'S');
  });
  (c.array('arrays', o.arrays) ?? []).forEach((av, i) => {
    const path = `arrays[${i}]`;
    const a = c.object(path, av);
    if (!a) return;
    c.onlyFields(path, a, ['realises', 'role', 'pre', 'post', 'feedbackOf', 'rows', 'cols', 'realisation', 'lsbWeight', 'conductanceS', 'codes', 'mask', 'plastic']);
    c.oneOf(join(path, 'role'), a.role, ['forward', 'feedback', 'pyr-to-int', 'int-to-pyr', 'int-nudge'] as const);
    const real = c.object(join(path, 'realisation'), a.realisation);
    if (real) c.oneOf(join(path, 'realisation.kind'), real.kind, ['ideal', 'dac', 'conductance'] as const);
    const end = (k: 'pre' | 'post') => {
      const e = c.object(join(path, k), a[k]);
      const name = e ? c.string(join(path, `${k}.population`), e.population) : undefined;
      if (name !== undefined && sizes.size && !sizes.has(name)) c.fail(join(path, `${k}.population`), `unknown population '${name}'`);
      return name !== undefined ? sizes.get(name)?.size : undefined;
    };
    const cols = end('pre');
    const rows = end('post');
    const r = c.number(join(path, 'rows'), a.rows, { integer: true, min: 1 });
    const k = c.number(join(path, 'cols'), a.cols, { integer: true, min: 1 });
    if (rows !== undefined && r !== undefined && rows !== r) c.fail(join(path, 'rows'), `expected ${rows} (the size of ${(a.post as { population: string }).population}), got ${r}`);
    if (cols !== undefined && k !== undefined && cols !== k) c.fail(join(path, 'cols'), `expected ${cols} (the size of ${(a.pre as { population: string }).population}), got ${k}`);
    if (r !== undefined && k !== undefined) c.matrix(join(path, 'conductanceS'), a.conductanceS, r, k);
  });
  if (c.issues.length) throw new SpecError(c.issues, file);
  return o as unknown as CircuitIR;
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
