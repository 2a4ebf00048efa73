import { Checker, describe, join } from '../../core/checker.js';
import { SpecError } from '../../core/errors.js';
import type { PlasticityRealisation } from '../components/plastic-synapse.js';
import type { SynapseRealisation } from '../components/synapse-array.js';
import { AREA_CLASSES, BIAS_CLASSES, type PowerModel } from '../power/power-model.js';
import { BUILTIN_PROFILES } from './builtin.js';
import { BUILTIN_MEMBRANE_MODEL, membraneModelNames } from '../components/component-models.js';
import { PROFILE_FORMAT, type ErrorUnit, type NeuronCircuitKind, type Profile, type RateUnit, type TopDownCarrier } from './profile.js';

/**
 * Validates a profile object. A user profile may name a built-in one in `extends` and override any
 * field (objects are merged field by field). Errors name the JSON path and what was expected, e.g.
 * `membrane.capacitanceF: expected a number > 0 (F), got -1e-12`.
 */
export function validateProfile(raw: unknown, file?: string): Profile {
  const c = new Checker();
  const p = resolveProfile(c, raw);
  if (c.issues.length || !p) throw new SpecError(c.issues, file, 'hardware profile');
  return p;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
      // a union member (realisation, unit kinds) is replaced whole when its kind changes
      const b = out[k] as { kind?: unknown } | undefined;
      const o = v as { kind?: unknown } | undefined;
      out[k] = b && o && typeof o === 'object' && 'kind' in o && b.kind !== o.kind ? v : merge(b, v);
    }
    return out;
  }
  return over;
}

function resolveProfile(c: Checker, raw: unknown): Profile | undefined {
  let o = c.object('', raw);
  if (!o) return undefined;
  if (o.extends !== undefined) {
    const name = c.oneOf('extends', o.extends, Object.keys(BUILTIN_PROFILES));
    if (!name) return undefined;
    const { extends: _drop, ...rest } = o;
    o = merge(BUILTIN_PROFILES[name], { description: `derived from ${name}`, ...rest }) as Record<string, unknown>;
  }
  c.onlyFields('', o, ['format', 'name', 'description', 'timeScale', 'voltsPerUnit', 'membrane', 'transfer', 'synapses', 'feedbackArray', 'feedbackPlasticity', 'topDown', 'rateUnit', 'errorUnit', 'noise', 'plasticity', 'calibration', 'power', 'circuit']);
  if (o.format !== PROFILE_FORMAT) c.fail('format', `expected '${PROFILE_FORMAT}', got ${describe(o.format)}`);
  const pos = (path: string, v: unknown, unit?: string) => c.number(path, v, { positive: true, ...(unit ? { unit } : {}) }) ?? 1;
  const sigma = (path: string, v: unknown) => c.number(path, v, { min: 0, max: 1 }) ?? 0;
  const num = (path: string, v: unknown, unit: string) => c.number(path, v, { unit }) ?? 0;
  const sub = (path: string) => c.object(path, o![path]) ?? {};
  const m = sub('membrane');
  c.onlyFields('membrane', m, ['capacitanceF', 'capacitanceSigma', 'leakSigma', 'restV', 'offsetSigmaV', 'railLowV', 'railHighV', 'model']);
  const t = sub('transfer');
  c.onlyFields('transfer', t, ['gainSigma', 'offsetSigmaV']);
  const s = sub('synapses');
  c.onlyFields('synapses', s, ['realisation', 'gainSigma']);
  const cal = sub('calibration');
  c.onlyFields('calibration', cal, ['trimBits', 'trimRange', 'offsetTrimV']);
  const profile: Profile = {
    format: PROFILE_FORMAT,
    name: c.string('name', o.name) ?? 'profile',
    description: typeof o.description === 'string' ? o.description : '',
    timeScale: pos('timeScale', o.timeScale, 's per model ms'),
    voltsPerUnit: pos('voltsPerUnit', o.voltsPerUnit, 'V'),
    membrane: {
      capacitanceF: pos('membrane.capacitanceF', m.capacitanceF, 'F'),
      capacitanceSigma: sigma('membrane.capacitanceSigma', m.capacitanceSigma),
      leakSigma: sigma('membrane.leakSigma', m.leakSigma),
      restV: num('membrane.restV', m.restV, 'V'),
      offsetSigmaV: c.number('membrane.offsetSigmaV', m.offsetSigmaV, { min: 0, unit: 'V' }) ?? 0,
      railLowV: num('membrane.railLowV', m.railLowV, 'V'),
      railHighV: num('membrane.railHighV', m.railHighV, 'V'),
      ...(m.model === undefined ? {} : { model: c.oneOf('membrane.model', m.model, membraneModelNames()) ?? BUILTIN_MEMBRANE_MODEL }),
    },
    transfer: { gainSigma: sigma('transfer.gainSigma', t.gainSigma), offsetSigmaV: c.number('transfer.offsetSigmaV', t.offsetSigmaV, { min: 0, unit: 'V' }) ?? 0 },
    synapses: { realisation: synapseRealisation(c, 'synapses.realisation', s.realisation), gainSigma: sigma('synapses.gainSigma', s.gainSigma) },
    feedbackArray: c.oneOf('feedbackArray', o.feedbackArray, ['exact', 'separate'] as const) ?? 'exact',
    feedbackPlasticity: o.feedbackPlasticity === undefined ? 'mirrored' : (c.oneOf('feedbackPlasticity', o.feedbackPlasticity, ['mirrored', 'fixed'] as const) ?? 'mirrored'),
    topDown: topDown(c, 'topDown', o.topDown),
    rateUnit: rateUnit(c, 'rateUnit', o.rateUnit),
    errorUnit: errorUnit(c, 'errorUnit', o.errorUnit),
    noise: noise(c, o.noise),
    plasticity: plasticity(c, 'plasticity', o.plasticity),
    circuit: neuronCircuit(c, 'circuit', o.circuit),
    calibration: {
      trimBits: c.number('calibration.trimBits', cal.trimBits, { integer: true, min: 1, max: 16 }) ?? 6,
      trimRange: c.number('calibration.trimRange', cal.trimRange, { positive: true, max: 1 }) ?? 0.3,
      offsetTrimV: c.number('calibration.offsetTrimV', cal.offsetTrimV, { min: 0, unit: 'V' }) ?? 0,
    },
    power: power(c, o.power),
  };
  if (profile.membrane.railLowV >= profile.membrane.railHighV) c.fail('membrane.railHighV', `expected a rail above railLowV (${profile.membrane.railLowV} V), got ${profile.membrane.railHighV} V`);
  return profile;
}

function synapseRealisation(c: Checker, path: string, v: unknown): SynapseRealisation {
  const o = c.object(path, v);
  if (!o) return { kind: 'ideal' };
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['ideal', 'dac', 'conductance'] as const);
  if (kind === 'dac') {
    c.onlyFields(path, o, ['kind', 'bits', 'fullScale']);
    const fs = o.fullScale === 'auto' ? 'auto' : (c.number(join(path, 'fullScale'), o.fullScale, { positive: true }) ?? 'auto');
    return { kind, bits: c.number(join(path, 'bits'), o.bits, { integer: true, min: 1, max: 24 }) ?? 6, fullScale: fs };
  }
  if (kind === 'conductance') {
    c.onlyFields(path, o, ['kind', 'series']);
    return { kind, series: c.oneOf(join(path, 'series'), o.series, ['E24', 'E96', 'continuous'] as const) ?? 'E96' };
  }
  c.onlyFields(path, o, ['kind']);
  return { kind: 'ideal' };
}

function rateUnit(c: Checker, path: string, v: unknown): RateUnit {
  const o = c.object(path, v);
  if (!o) return { kind: 'exact' };
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['exact', 'current-sensing', 'lead'] as const);
  const sigma = () => c.number(join(path, 'lookaheadSigma'), o.lookaheadSigma, { min: 0, max: 1 }) ?? 0;
  if (kind === 'current-sensing') {
    c.onlyFields(path, o, ['kind', 'lookaheadSigma']);
    return { kind, lookaheadSigma: sigma() };
  }
  if (kind === 'lead') {
    c.onlyFields(path, o, ['kind', 'poleRatio', 'lookaheadSigma', 'maxRate']);
    return { kind, poleRatio: c.number(join(path, 'poleRatio'), o.poleRatio, { positive: true, max: 1 }) ?? 0.01, lookaheadSigma: sigma(), maxRate: c.number(join(path, 'maxRate'), o.maxRate, { positive: true }) ?? 1 };
  }
  c.onlyFields(path, o, ['kind']);
  return { kind: 'exact' };
}

function errorUnit(c: Checker, path: string, v: unknown): ErrorUnit {
  const o = c.object(path, v);
  if (!o) return { kind: 'exact' };
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['exact', 'lead'] as const);
  if (kind === 'lead') {
    c.onlyFields(path, o, ['kind', 'poleRatio', 'lookaheadSigma']);
    return { kind, poleRatio: c.number(join(path, 'poleRatio'), o.poleRatio, { positive: true, max: 1 }) ?? 0.01, lookaheadSigma: c.number(join(path, 'lookaheadSigma'), o.lookaheadSigma, { min: 0, max: 1 }) ?? 0 };
  }
  c.onlyFields(path, o, ['kind']);
  return { kind: 'exact' };
}

function topDown(c: Checker, path: string, v: unknown): TopDownCarrier {
  if (v === undefined) return { kind: 'wire' };
  const o = c.object(path, v);
  if (!o) return { kind: 'wire' };
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['wire', 'rate', 'depressing'] as const);
  if (kind === 'depressing') {
    c.onlyFields(path, o, ['kind', 'recoveryRatio', 'recoverySigma', 'releaseSigma']);
    return {
      kind,
      recoveryRatio: c.number(join(path, 'recoveryRatio'), o.recoveryRatio ?? 1, { positive: true }) ?? 1,
      recoverySigma: c.number(join(path, 'recoverySigma'), o.recoverySigma ?? 0, { min: 0, max: 1 }) ?? 0,
      releaseSigma: c.number(join(path, 'releaseSigma'), o.releaseSigma ?? 0, { min: 0, max: 1 }) ?? 0,
    };
  }
  c.onlyFields(path, o, ['kind']);
  return { kind: kind ?? 'wire' };
}

/** The neuron circuit kind (absent: linear); a translinear circuit's currents, κ, temperatures and σ_VT. */
function neuronCircuit(c: Checker, path: string, v: unknown): NeuronCircuitKind {
  if (v === undefined) return { kind: 'linear' };
  const o = c.object(path, v);
  if (!o) return { kind: 'linear' };
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['linear', 'translinear'] as const);
  if (kind !== 'translinear') {
    c.onlyFields(path, o, ['kind']);
    return { kind: 'linear' };
  }
  const fields = ['kappa', 'temperatureK', 'biasTemperatureK', 'unitCurrentA', 'thresholdCurrentA', 'commonModeUnits', 'tauSigmaV', 'thresholdSigmaV', 'inputSigmaV'] as const;
  c.onlyFields(path, o, ['kind', ...fields, 'synapseSigmaV']);
  const pos = (k: string, unit?: string) => c.number(join(path, k), o[k], { positive: true, ...(unit ? { unit } : {}) }) ?? 1;
  const sigmaV = (k: string) => c.number(join(path, k), o[k], { min: 0, max: 0.1, unit: 'V' }) ?? 0;
  const r: NeuronCircuitKind = {
    kind,
    kappa: c.number(join(path, 'kappa'), o.kappa, { positive: true, max: 1 }) ?? 0.7,
    temperatureK: pos('temperatureK', 'K'),
    biasTemperatureK: pos('biasTemperatureK', 'K'),
    unitCurrentA: pos('unitCurrentA', 'A'),
    thresholdCurrentA: pos('thresholdCurrentA', 'A'),
    commonModeUnits: pos('commonModeUnits', 'units'),
    tauSigmaV: sigmaV('tauSigmaV'),
    thresholdSigmaV: sigmaV('thresholdSigmaV'),
    inputSigmaV: sigmaV('inputSigmaV'),
    synapseSigmaV: o.synapseSigmaV === undefined ? 0 : sigmaV('synapseSigmaV'),
  };
  const h = r.thresholdCurrentA / r.unitCurrentA;
  if (r.commonModeUnits <= h) c.fail(join(path, 'commonModeUnits'), `expected more than I_th/I_unit = ${h} units (each half settles at m − I_th/I_unit, which must be > 0), got ${r.commonModeUnits}`);
  return r;
}

function noise(c: Checker, v: unknown): Profile['noise'] {
  if (v === null) return null;
  const o = c.object('noise', v);
  if (!o) return null;
  c.onlyFields('noise', o, ['temperatureK', 'excessFactor']);
  return {
    temperatureK: c.number('noise.temperatureK', o.temperatureK, { positive: true, unit: 'K' }) ?? 300,
    excessFactor: c.number('noise.excessFactor', o.excessFactor, { min: 1 }) ?? 1,
  };
}

function plasticity(c: Checker, path: string, v: unknown): PlasticityRealisation {
  const o = c.object(path, v);
  if (!o) return { kind: 'ideal' };
  const kind = c.oneOf(join(path, 'kind'), o.kind, ['ideal', 'analog', 'digital'] as const);
  if (kind === 'analog') {
    c.onlyFields(path, o, ['kind', 'leakTauS']);
    return { kind, leakTauS: c.number(join(path, 'leakTauS'), o.leakTauS, { positive: true, unit: 's' }) ?? 100 };
  }
  if (kind === 'digital') {
    c.onlyFields(path, o, ['kind', 'updatePeriodS', 'stochasticRounding']);
    return {
      kind,
      updatePeriodS: c.number(join(path, 'updatePeriodS'), o.updatePeriodS, { positive: true, unit: 's' }) ?? 1e-4,
      stochasticRounding: c.boolean(join(path, 'stochasticRounding'), o.stochasticRounding, true),
    };
  }
  c.onlyFields(path, o, ['kind']);
  return { kind: 'ideal' };
}

/**
 * The power section: required (a missing one is named), `null` for a profile whose components are not
 * circuits, else every field a finite number > 0 in its unit.
 */
function power(c: Checker, v: unknown): PowerModel | null {
  if (v === null) return null;
  if (v === undefined) return c.fail('power', 'missing: expected the power section (supplyV, biasCurrentA, areaM2, conversionEnergyJ, plasticityUpdateEnergyJ; see docs/hardware.md) or null') ?? null;
  const o = c.object('power', v);
  if (!o) return null;
  c.onlyFields('power', o, ['supplyV', 'biasCurrentA', 'areaM2', 'conversionEnergyJ', 'plasticityUpdateEnergyJ']);
  const pos = (path: string, x: unknown, unit: string) => c.number(path, x, { positive: true, unit }) ?? 1;
  const perClass = <K extends string>(field: string, keys: readonly K[], unit: string): { [k in K]: number } => {
    const sub = c.object(`power.${field}`, o[field]) ?? {};
    c.onlyFields(`power.${field}`, sub, keys);
    return Object.fromEntries(keys.map((k) => [k, pos(`power.${field}.${k}`, sub[k], unit)])) as { [k in K]: number };
  };
  return {
    supplyV: pos('power.supplyV', o.supplyV, 'V'),
    biasCurrentA: perClass('biasCurrentA', BIAS_CLASSES, 'A'),
    areaM2: perClass('areaM2', AREA_CLASSES, 'm²'),
    conversionEnergyJ: pos('power.conversionEnergyJ', o.conversionEnergyJ, 'J'),
    plasticityUpdateEnergyJ: pos('power.plasticityUpdateEnergyJ', o.plasticityUpdateEnergyJ, 'J'),
  };
}
