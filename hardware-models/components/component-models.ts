import { UsageError } from '../../core/errors.js';
import type { ModelUnits } from '../units.js';
import { membranePopulation, type MembraneParams, type MembranePopulation } from './membrane.js';

/**
 * The registry of component models: the code that turns a component's circuit parameters (SI, per
 * instance, mismatch included) into the arrays the analog emulator integrates. A hardware profile names
 * the model of a component (`membrane.model`; absent: the built-in one), so a user's model — registered
 * here by a program, or by the web workbench's plugin loader (web/plugin-loader.ts) — changes the circuit
 * the emulator runs without touching the toolkit. One kind so far: the membrane.
 */

/** The built-in membrane model's name: C dV/dt = −g_L (V − E_rest) + I (components/membrane.ts). */
export const BUILTIN_MEMBRANE_MODEL = 'linear-leak';

/**
 * A membrane model: every membrane of a circuit as a population in model units (τ in model ms, rest
 * offset θ and rails in units), from each membrane's parameters and the circuit's unit frame. The
 * emulator integrates τ u̇ = θ − u + I with these arrays (the synapse arrays' weights stay G/g_L).
 */
export interface MembraneModel {
  component: 'membrane';
  /** The name a profile's `membrane.model` gives to select it. */
  name: string;
  description?: string;
  population(params: readonly MembraneParams[], units: ModelUnits): MembranePopulation;
}

/** Any registered component model (the union grows with the kinds the emulator lets users replace). */
export type ComponentModel = MembraneModel;

const membraneModels = new Map<string, MembraneModel>([[BUILTIN_MEMBRANE_MODEL, { component: 'membrane', name: BUILTIN_MEMBRANE_MODEL, description: 'linear conductance leak (components/membrane.ts)', population: membranePopulation }]]);

/**
 * Registers a component model; a malformed one (unknown component, no name, no `population` function) is
 * refused naming `source` (where it came from: a plugin's URL) and what is missing. Registering a name again
 * replaces that model, except the built-in one, which is refused.
 */
export function registerComponentModel(model: unknown, source = 'component model'): ComponentModel {
  const m = model as Partial<MembraneModel> | null;
  if (!m || typeof m !== 'object') throw new UsageError(`${source}: expected a component model object, got ${m === null ? 'null' : typeof m}`);
  if (m.component !== 'membrane') throw new UsageError(`${source}: 'component' must be 'membrane' (the component kinds a model may replace), got ${JSON.stringify(m.component)}`);
  if (typeof m.name !== 'string' || !/^[\w.+-]+$/.test(m.name)) throw new UsageError(`${source}: 'name' must be a non-empty name of letters, digits, '.', '+', '-' or '_', got ${JSON.stringify(m.name)}`);
  if (typeof m.population !== 'function') throw new UsageError(`${source}: 'population' must be a function (params, units) → { tauMs, theta, railLow, railHigh }, got ${typeof m.population}`);
  if (m.name === BUILTIN_MEMBRANE_MODEL) throw new UsageError(`${source}: '${BUILTIN_MEMBRANE_MODEL}' is the built-in membrane model; give the model another name`);
  const checked: MembraneModel = { component: 'membrane', name: m.name, description: m.description, population: checkedPopulation(m.name, m.population.bind(m)) };
  membraneModels.set(m.name, checked);
  return checked;
}

/** The names of the registered membrane models, the built-in one first. */
export function membraneModelNames(): string[] {
  return [...membraneModels.keys()];
}

/** The membrane model a profile names (`undefined`: the built-in one); an unknown name is refused listing the known ones. */
export function membraneModel(name: string | undefined): MembraneModel {
  const m = membraneModels.get(name ?? BUILTIN_MEMBRANE_MODEL);
  if (!m) throw new UsageError(`membrane.model: no membrane model '${name}' is registered (registered: ${membraneModelNames().join(', ')})`);
  return m;
}

/** A user model's population checked: one finite value per membrane in each array, τ > 0, rails ordered. */
function checkedPopulation(name: string, f: MembraneModel['population']): MembraneModel['population'] {
  return (params, units) => {
    const p = f(params, units);
    const n = params.length;
    const arrays = ['tauMs', 'theta', 'railLow', 'railHigh'] as const;
    for (const key of arrays) {
      const a = p?.[key];
      if (!(a instanceof Float64Array) || a.length !== n) throw new UsageError(`membrane model '${name}': '${key}' must be a Float64Array of ${n} values (one per membrane), got ${a instanceof Float64Array ? `${a.length} values` : typeof a}`);
    }
    for (let i = 0; i < n; i++) {
      const bad = arrays.find((k) => !Number.isFinite(p[k][i]!));
      if (bad) throw new UsageError(`membrane model '${name}': ${bad}[${i}] is ${p[bad][i]} (expected a finite number)`);
      if (!(p.tauMs[i]! > 0)) throw new UsageError(`membrane model '${name}': tauMs[${i}] is ${p.tauMs[i]} (expected a time constant > 0 ms)`);
      if (!(p.railLow[i]! < p.railHigh[i]!)) throw new UsageError(`membrane model '${name}': railLow[${i}] ${p.railLow[i]} is not below railHigh[${i}] ${p.railHigh[i]}`);
    }
    return { tauMs: p.tauMs, theta: p.theta, railLow: p.railLow, railHigh: p.railHigh };
  };
}
