import { ACTIVATION_KINDS, ACTIVATION_PARAMS, type Activation, type ActivationKind } from '../../core/activation.js';
import { SpecError } from '../../core/errors.js';
import { analyseTopology, type Edge } from '../graph/topology.js';
import { Checker, describe, join } from '../../core/checker.js';
import {
  SPEC_DEFAULTS,
  SPEC_FORMAT,
  type InitSpec,
  type ResolvedInput,
  type ResolvedInterneuron,
  type ResolvedNeuron,
  type ResolvedProjection,
  type ResolvedSpec,
} from './format.js';

/** Prefixes of the projections that buildGraph generates (biases, random feedback, the microcircuit). */
const RESERVED_PREFIXES = ['bias->', 'B:', 'WIP:', 'WPI:', 'BIP:'];

const TOP_FIELDS = [
  'format', 'name', 'description', 'seed', 'structure', 'tauMs', 'tauInMs', 'activation', 'init', 'beta',
  'feedback', 'plasticity', 'populations', 'projections',
] as const;

/**
 * Validates a network spec (parsed JSON or builder output) and returns it normalised: defaults filled,
 * activations parsed, matrices checked against their populations' sizes. Throws a SpecError listing
 * every problem with its JSON path. `file` names the spec file in messages.
 */
export function validateSpec(raw: unknown, file?: string): ResolvedSpec {
  const c = new Checker();
  const spec = resolve(c, raw);
  if (c.issues.length || !spec) throw new SpecError(c.issues, file);
  return spec;
}

function resolve(c: Checker, raw: unknown): ResolvedSpec | undefined {
  const top = c.object('', raw);
  if (!top) return undefined;
  c.onlyFields('', top, TOP_FIELDS);
  if (top.format !== SPEC_FORMAT) {
    c.fail('format', `expected '${SPEC_FORMAT}', got ${describe(top.format)}`);
  }
  const defaults = {
    tauMs: c.optionalNumber('tauMs', top.tauMs, SPEC_DEFAULTS.tauMs, { positive: true, unit: 'ms' }),
    tauInMs: c.optionalNumber('tauInMs', top.tauInMs, SPEC_DEFAULTS.tauInMs, { positive: true, unit: 'ms' }),
    activation: parseActivation(c, 'activation', top.activation ?? SPEC_DEFAULTS.activation),
    init: top.init === undefined ? SPEC_DEFAULTS.init : parseInit(c, 'init', top.init),
  };
  const plasticity = parsePlasticity(c, top.plasticity);
  const pops = parsePopulations(c, top.populations, defaults);
  const feedback = parseFeedback(c, top.feedback, plasticity.etaPerMs, defaults.init);
  const spec: ResolvedSpec = {
    format: SPEC_FORMAT,
    name: top.name === undefined ? 'network' : (c.string('name', top.name) ?? 'network'),
    seed: c.optionalNumber('seed', top.seed, SPEC_DEFAULTS.seed, { min: 0, integer: true }),
    structure: top.structure === undefined ? 'auto' : (c.oneOf('structure', top.structure, ['auto', 'layered', 'recurrent'] as const) ?? 'auto'),
    beta: c.optionalNumber('beta', top.beta, SPEC_DEFAULTS.beta, { min: 0 }),
    feedback,
    plasticity,
    inputs: pops.inputs,
    neurons: pops.neurons,
    interneurons: pops.interneurons,
    projections: [],
  };
  if (top.description !== undefined && typeof top.description !== 'string') c.fail('description', `expected a string, got ${describe(top.description)}`);
  spec.projections = parseProjections(c, top.projections, spec, defaults.init);
  checkStructure(c, spec, pops.names);
  return spec;
}

function parsePlasticity(c: Checker, v: unknown): ResolvedSpec['plasticity'] {
  const out: ResolvedSpec['plasticity'] = { enabled: false, etaPerMs: SPEC_DEFAULTS.etaPerMs };
  if (v === undefined) return out;
  const o = c.object('plasticity', v);
  if (!o) return out;
  c.onlyFields('plasticity', o, ['enabled', 'etaPerMs']);
  out.enabled = c.boolean('plasticity.enabled', o.enabled, false);
  out.etaPerMs = c.optionalNumber('plasticity.etaPerMs', o.etaPerMs, out.etaPerMs, { min: 0, unit: '1/ms' });
  return out;
}

export function parseActivation(c: Checker, path: string, v: unknown): Activation {
  const fallback: Activation = { kind: 'hard-sigmoid' };
  let name: unknown = v;
  let params: Record<string, unknown> = {};
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    params = { ...(v as Record<string, unknown>) };
    name = params.name;
    delete params.name;
  }
  const kind = c.oneOf(typeof v === 'object' ? join(path, 'name') : path, name, ACTIVATION_KINDS);
  if (!kind) return fallback;
  const allowed = ACTIVATION_PARAMS[kind as ActivationKind];
  c.onlyFields(path, params, Object.keys(allowed));
  const act: Record<string, unknown> = { kind };
  for (const [p, def] of Object.entries(allowed)) {
    const rule = kind === 'depression-matched' && p === 'a' ? { min: 0 } : { positive: true };
    act[p] = c.optionalNumber(join(path, p), params[p], def, rule);
  }
  return act as Activation;
}

export function parseInit(c: Checker, path: string, v: unknown): InitSpec {
  const fallback = SPEC_DEFAULTS.init;
  const o = c.object(path, v);
  if (!o) return fallback;
  const dist = c.oneOf(join(path, 'distribution'), o.distribution, ['normal', 'uniform', 'constant', 'zeros'] as const);
  switch (dist) {
    case 'normal': {
      c.onlyFields(path, o, ['distribution', 'mean', 'std', 'cutoff']);
      const std = c.number(join(path, 'std'), o.std, { min: 0 }) ?? 0;
      const mean = c.optionalNumber(join(path, 'mean'), o.mean, 0);
      const init: InitSpec = { distribution: 'normal', mean, std };
      if (o.cutoff !== undefined) init.cutoff = c.number(join(path, 'cutoff'), o.cutoff, { positive: true }) ?? Infinity;
      return init;
    }
    case 'uniform': {
      c.onlyFields(path, o, ['distribution', 'low', 'high']);
      const low = c.number(join(path, 'low'), o.low) ?? 0;
      const high = c.number(join(path, 'high'), o.high) ?? 0;
      if (high < low) c.fail(join(path, 'high'), `expected high ≥ low (${low}), got ${high}`);
      return { distribution: 'uniform', low, high };
    }
    case 'constant':
      c.onlyFields(path, o, ['distribution', 'value']);
      return { distribution: 'constant', value: c.number(join(path, 'value'), o.value) ?? 0 };
    case 'zeros':
      c.onlyFields(path, o, ['distribution']);
      return { distribution: 'zeros' };
    default:
      return fallback;
  }
}

interface PopDefaults {
  tauMs: number;
  tauInMs: number;
  activation: Activation;
  init: InitSpec;
}

function parsePopulations(c: Checker, v: unknown, d: PopDefaults) {
  const inputs: ResolvedInput[] = [];
  const neurons: ResolvedNeuron[] = [];
  const interneurons: ResolvedInterneuron[] = [];
  const names = new Map<string, number>();
  const arr = c.array('populations', v);
  if (!arr) return { inputs, neurons, interneurons, names };
  arr.forEach((pv, i) => {
    const path = `populations[${i}]`;
    const p = c.object(path, pv);
    if (!p) return;
    const name = c.string(join(path, 'name'), p.name) ?? `#${i}`;
    if (name === 'bias') c.fail(join(path, 'name'), `'bias' is reserved for the constant-rate bias unit; choose another name`);
    if (names.has(name)) c.fail(join(path, 'name'), `duplicate population name '${name}' (also populations[${names.get(name)}])`);
    if (/[[\]:,\s]/.test(name)) c.fail(join(path, 'name'), `expected a name without spaces, brackets, commas or colons, got '${name}'`);
    names.set(name, i);
    const kind = c.oneOf(join(path, 'kind'), p.kind, ['input', 'hidden', 'output', 'interneuron'] as const);
    const size = c.number(join(path, 'size'), p.size, { integer: true, min: 1 }) ?? 1;
    if (kind === 'input') {
      c.onlyFields(path, p, ['name', 'kind', 'size', 'tauInMs']);
      inputs.push({ name, size, tauInMs: c.optionalNumber(join(path, 'tauInMs'), p.tauInMs, d.tauInMs, { positive: true, unit: 'ms' }) });
    } else if (kind === 'interneuron') {
      c.onlyFields(path, p, ['name', 'kind', 'size', 'serves']);
      interneurons.push({ name, size, serves: c.string(join(path, 'serves'), p.serves) ?? '' });
    } else if (kind === 'hidden' || kind === 'output') {
      c.onlyFields(path, p, ['name', 'kind', 'size', 'tauMs', 'activation', 'bias']);
      neurons.push({
        name,
        kind,
        size,
        tauMs: c.optionalNumber(join(path, 'tauMs'), p.tauMs, d.tauMs, { positive: true, unit: 'ms' }),
        activation: p.activation === undefined ? d.activation : parseActivation(c, join(path, 'activation'), p.activation),
        bias: parseBias(c, join(path, 'bias'), p.bias, size, d.init),
      });
    }
  });
  if (inputs.length === 0) c.fail('populations', `expected at least one population of kind 'input'`);
  if (!neurons.some((n) => n.kind === 'output')) {
    c.fail('populations', `expected at least one population of kind 'output' (the outputs receive targets); none is declared`);
  }
  return { inputs, neurons, interneurons, names };
}

function parseBias(c: Checker, path: string, v: unknown, size: number, init: InitSpec): ResolvedNeuron['bias'] {
  if (v === undefined || v === false) return null;
  if (v === true) return { init, values: null, plastic: true };
  const o = c.object(path, v);
  if (!o) return null;
  c.onlyFields(path, o, ['init', 'values', 'plastic']);
  let values: number[] | null = null;
  if (o.values !== undefined) {
    const arr = c.array(join(path, 'values'), o.values);
    if (arr && arr.length !== size) c.fail(join(path, 'values'), `expected ${size} values (one per neuron), got ${arr.length}`);
    else if (arr) values = arr.map((x, k) => c.number(join(join(path, 'values'), k), x) ?? 0);
  }
  if (o.values !== undefined && o.init !== undefined) c.fail(join(path, 'init'), 'give either values or init, not both');
  return {
    init: o.init === undefined ? init : parseInit(c, join(path, 'init'), o.init),
    values,
    plastic: c.boolean(join(path, 'plastic'), o.plastic, true),
  };
}

function parseFeedback(c: Checker, v: unknown, etaPerMs: number, defaultInit: InitSpec): ResolvedSpec['feedback'] {
  if (v === undefined) return { mode: 'transpose' };
  const o = c.object('feedback', v);
  if (!o) return { mode: 'transpose' };
  const mode = c.oneOf('feedback.mode', o.mode, ['transpose', 'random', 'microcircuit'] as const);
  if (mode === 'random') {
    c.onlyFields('feedback', o, ['mode', 'init']);
    return { mode, init: o.init === undefined ? SPEC_DEFAULTS.feedbackInit : parseInit(c, 'feedback.init', o.init) };
  }
  if (mode === 'microcircuit') {
    c.onlyFields('feedback', o, ['mode', 'betaInterneuron', 'interneuronInit', 'feedbackInit', 'etaPerMs']);
    return {
      mode,
      betaInterneuron: c.optionalNumber('feedback.betaInterneuron', o.betaInterneuron, SPEC_DEFAULTS.betaInterneuron, { min: 0, max: 1 }),
      interneuronInit: o.interneuronInit === undefined ? defaultInit : parseInit(c, 'feedback.interneuronInit', o.interneuronInit),
      feedbackInit: o.feedbackInit === undefined ? SPEC_DEFAULTS.feedbackInit : parseInit(c, 'feedback.feedbackInit', o.feedbackInit),
      etaPerMs: c.optionalNumber('feedback.etaPerMs', o.etaPerMs, etaPerMs, { min: 0, unit: '1/ms' }),
    };
  }
  c.onlyFields('feedback', o, ['mode']);
  return { mode: 'transpose' };
}

function sizeOf(spec: ResolvedSpec, name: string): { size: number; kind: 'input' | 'neuron' | 'interneuron' } | undefined {
  const i = spec.inputs.find((p) => p.name === name);
  if (i) return { size: i.size, kind: 'input' };
  const n = spec.neurons.find((p) => p.name === name);
  if (n) return { size: n.size, kind: 'neuron' };
  const k = spec.interneurons.find((p) => p.name === name);
  return k ? { size: k.size, kind: 'interneuron' } : undefined;
}

function parseProjections(c: Checker, v: unknown, spec: ResolvedSpec, defaultInit: InitSpec): ResolvedProjection[] {
  const out: ResolvedProjection[] = [];
  const arr = c.array('projections', v);
  if (!arr) return out;
  const allNames = [...spec.inputs, ...spec.neurons, ...spec.interneurons].map((p) => p.name);
  const seen = new Map<string, number>();
  arr.forEach((pv, i) => {
    const path = `projections[${i}]`;
    const p = c.object(path, pv);
    if (!p) return;
    c.onlyFields(path, p, ['name', 'from', 'to', 'init', 'weights', 'mask', 'plastic', 'etaPerMs']);
    const from = endpoint(c, join(path, 'from'), p.from, spec, allNames);
    const to = endpoint(c, join(path, 'to'), p.to, spec, allNames);
    if (to?.kind === 'input') c.fail(join(path, 'to'), `'${p.to}' is an input population; projections cannot target inputs`);
    if (from?.kind === 'interneuron' || to?.kind === 'interneuron') {
      c.fail(path, `interneuron populations are wired by feedback.mode 'microcircuit' (W^IP, W^PI, B, B^IP); remove this projection`);
    }
    const name = p.name === undefined ? `${String(p.from)}->${String(p.to)}` : (c.string(join(path, 'name'), p.name) ?? `#${i}`);
    if (seen.has(name)) c.fail(join(path, 'name'), `duplicate projection name '${name}' (also projections[${seen.get(name)}]); name one of them`);
    const reserved = RESERVED_PREFIXES.find((pre) => name.startsWith(pre));
    if (reserved) c.fail(join(path, 'name'), `names starting with '${reserved}' are reserved for generated projections (biases, feedback and interneuron arrays); choose another name`);
    seen.set(name, i);
    const rows = to?.size ?? 0;
    const cols = from?.size ?? 0;
    let weights: number[][] | null = null;
    if (p.weights !== undefined && from && to) weights = matrixField(c, join(path, 'weights'), p.weights, rows, cols) ?? null;
    if (p.weights !== undefined && p.init !== undefined) c.fail(join(path, 'init'), 'give either weights or init, not both');
    let mask: ResolvedProjection['mask'] = null;
    if (p.mask !== undefined && from && to) {
      const m = p.mask as Record<string, unknown>;
      if (m && typeof m === 'object' && !Array.isArray(m) && 'density' in m) {
        c.onlyFields(join(path, 'mask'), m, ['density']);
        mask = { density: c.number(join(path, 'mask.density'), m.density, { min: 0, max: 1 }) ?? 1 };
      } else {
        const mm = matrixField(c, join(path, 'mask'), p.mask, rows, cols);
        if (mm) {
          const bad = mm.findIndex((r) => r.some((x) => x !== 0 && x !== 1));
          if (bad >= 0) c.fail(join(path, `mask[${bad}]`), 'expected only 0 (no synapse) and 1 (synapse)');
          mask = mm;
        }
      }
    }
    if (weights && Array.isArray(mask)) {
      const r = weights.findIndex((row, i) => row.some((x, j) => x !== 0 && !mask![i]![j]));
      if (r >= 0) {
        const col = weights[r]!.findIndex((x, j) => x !== 0 && !(mask as number[][])[r]![j]);
        c.fail(join(path, `weights[${r}][${col}]`), `is ${weights[r]![col]} where the mask has no synapse; expected 0`);
      }
    }
    out.push({
      name,
      from: String(p.from),
      to: String(p.to),
      init: p.init === undefined ? defaultInit : parseInit(c, join(path, 'init'), p.init),
      weights,
      mask,
      plastic: c.boolean(join(path, 'plastic'), p.plastic, true),
      etaPerMs: c.optionalNumber(join(path, 'etaPerMs'), p.etaPerMs, spec.plasticity.etaPerMs, { min: 0, unit: '1/ms' }),
    });
  });
  return out;
}

function endpoint(c: Checker, path: string, v: unknown, spec: ResolvedSpec, names: string[]) {
  const name = c.string(path, v);
  if (name === undefined) return undefined;
  const found = sizeOf(spec, name);
  if (!found) return c.fail(path, `unknown population '${name}'; declared: ${names.join(', ')}`);
  return found;
}

/** A matrix inline, or `{ file, rows }` as read by loadSpecFile. */
function matrixField(c: Checker, path: string, v: unknown, rows: number, cols: number): number[][] | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as { file?: unknown; rows?: unknown };
    if (typeof o.file !== 'string') return c.fail(path, `expected a matrix or { "file": "<path>" }, got ${describe(v)}`);
    if (o.rows === undefined) return c.fail(path, `side file '${o.file}' was not loaded: load specs with a file path (loadSpecFile), or give the matrix inline`);
    return c.matrix(path, o.rows, rows, cols, o.file);
  }
  return c.matrix(path, v, rows, cols);
}

/** Checks cycles (for declared layered nets) and the microcircuit's wiring requirements. */
function checkStructure(c: Checker, spec: ResolvedSpec, popIndex: Map<string, number>): void {
  const index = new Map(spec.neurons.map((n, i) => [n.name, i]));
  const edges: Edge[] = [];
  spec.projections.forEach((p, k) => {
    const a = index.get(p.from);
    const b = index.get(p.to);
    if (a !== undefined && b !== undefined) edges.push({ from: a, to: b, projection: k });
  });
  const topo = analyseTopology(spec.neurons.length, edges);
  const needsLayers = spec.structure === 'layered' || spec.feedback.mode !== 'transpose';
  if (!topo.acyclic && needsLayers) {
    const names = topo.cycle.map((e) => spec.neurons[e.from]!.name);
    const via = topo.cycle.map((e) => `projections[${e.projection}]`).join(', ');
    const why = spec.structure === 'layered' ? `structure is declared 'layered'` : `feedback.mode '${spec.feedback.mode}' needs a layered network`;
    c.fail(spec.structure === 'layered' ? 'structure' : 'feedback.mode', `${why}, but the projections form a cycle: ${[...names, names[0]].join(' → ')} (${via})`);
  }
  for (const inp of spec.inputs) {
    if (!spec.projections.some((p) => p.from === inp.name)) c.fail('projections', `input population '${inp.name}' projects nowhere`);
  }
  for (const n of spec.neurons) {
    if (!spec.projections.some((p) => p.to === n.name) && !n.bias) {
      c.fail('projections', `population '${n.name}' receives no projection and has no bias`);
    }
  }
  checkMicrocircuit(c, spec, popIndex);
}

function checkMicrocircuit(c: Checker, spec: ResolvedSpec, popIndex: Map<string, number>): void {
  const micro = spec.feedback.mode === 'microcircuit';
  spec.interneurons.forEach((k) => {
    const path = `populations[${popIndex.get(k.name)}]`;
    if (!micro) c.fail(join(path, 'kind'), `interneuron populations need feedback.mode 'microcircuit'`);
    const served = spec.neurons.find((n) => n.name === k.serves);
    if (!served) c.fail(join(path, 'serves'), `expected the name of a hidden population, got '${k.serves}'`);
    else if (served.kind !== 'hidden') c.fail(join(path, 'serves'), `'${k.serves}' is an output population; interneurons serve hidden populations`);
  });
  if (!micro) return;
  for (const n of spec.neurons.filter((x) => x.kind === 'hidden')) {
    const count = spec.interneurons.filter((k) => k.serves === n.name).length;
    if (count !== 1) c.fail('populations', `feedback.mode 'microcircuit' needs exactly one interneuron population serving '${n.name}', found ${count}`);
    const ups = spec.projections.filter((p) => p.from === n.name && spec.neurons.some((m) => m.name === p.to));
    if (ups.length !== 1) {
      c.fail('projections', `feedback.mode 'microcircuit' needs hidden population '${n.name}' to project to exactly one population above it, found ${ups.length}`);
    }
  }
}
