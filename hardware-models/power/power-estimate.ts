import type { Profile } from '../profiles/profile.js';
import { timeConstantS } from '../units.js';
import { NO_POWER_REASON, type PowerModel } from './power-model.js';

/**
 * Static power, energies and area of a compiled circuit, per component class and in total, from its
 * profile's `power` section (power-model.ts). The formulas, with V_dd = `supplyV`, ΔV = `voltsPerUnit`
 * (one unit of u, rate or error), τ = the circuit's mean membrane time constant C/g_L in seconds and n_k
 * the count of class k:
 *
 * - static power of class k: P_k = n_k · I_k · V_dd (its bias current drawn from the supply all the time);
 * - dynamic energy per event, the charge moved drawn from the supply, Q · V_dd:
 *   neuron: C_mem · ΔV · V_dd, its membrane moving by one unit (mean C_mem over the neurons);
 *   input filter: C_in · ΔV · V_dd, likewise;
 *   synapse: |G| · ΔV · τ · V_dd, the charge one synapse delivers in one τ at a presynaptic signal of one
 *   unit (mean |G| over the non-zero synapses; = |w| C_post ΔV V_dd since G = w g_L = w C/τ);
 *   interface: `conversionEnergyJ` per conversion;
 *   rate units, error units and interneurons: 0 (their capacitances are not in the circuit IR; their
 *   energy is their bias current, counted in P_k);
 * - energy per synaptic operation, one synapse over one membrane time constant (a continuous-time analog
 *   circuit has no discrete synaptic events): synapse only, I_syn · V_dd · τ + |G| · ΔV · τ · V_dd; all in,
 *   the energy per inference divided by (synapses × τ-periods of the inference), which carries the
 *   neurons', units' and interface's share as published per-event figures do;
 * - energy per inference, the network settling for T = settleTaus · τ (5 τ by default: one layer within
 *   1 %): E = P_static · T + Σ_k n_k · E_k · m_k, with m_k events per inference: every membrane and input
 *   filter moves once by one unit, every synapse conducts for T/τ periods, every input is converted in
 *   and every output out once;
 * - energy per learning update: digital registers, every plastic synapse written once per update period
 *   P_u: E = n_plastic · `plasticityUpdateEnergyJ` (the update), + P_static · P_u (the network running
 *   meanwhile); analog capacitors learn continuously and an update is one τ of the update circuits:
 *   the same with P_u = τ; ideal storage has no circuit and no estimate.
 */
export type PowerClass = 'neuron' | 'interneuron' | 'rateUnit' | 'errorUnit' | 'synapse' | 'inputFilter' | 'interface';

/** One component class of a circuit. */
export interface ClassEstimate {
  class: PowerClass;
  /** What one component is and what was counted. */
  counted: string;
  /** Components drawing bias current and taking events. */
  count: number;
  /** Components laid out (area), where it differs from `count` (synapse cells of weight 0 included). */
  cells: number;
  staticPowerW: number;
  /** Dynamic energy of one component per event, joule (0: none modelled). */
  energyPerEventJ: number;
  /** What one event is. */
  event: string;
  /** Events of one component per inference. */
  eventsPerInference: number;
  areaM2: number;
}

/** The estimate of a circuit whose profile has a power section. */
export interface PowerEstimate {
  estimated: true;
  profile: string;
  supplyV: number;
  /** Mean membrane time constant C/g_L in circuit seconds. */
  tauS: number;
  classes: ClassEstimate[];
  totals: { staticPowerW: number; areaM2: number };
  synapticOperation: { definition: string; synapseOnlyJ: number; allInJ: number };
  inference: { definition: string; settleTaus: number; durationS: number; staticEnergyJ: number; dynamicEnergyJ: number; energyJ: number };
  learningUpdate: LearningUpdateEstimate;
  /** What the estimate leaves out. */
  leftOut: string[];
}

/** Energy of one learning update, or why there is none. */
export type LearningUpdateEstimate =
  | { estimated: true; kind: 'digital' | 'analog'; definition: string; intervalS: number; plasticSynapses: number; updateEnergyJ: number; energyJ: number }
  | { estimated: false; reason: string };

/** A circuit whose profile has no power section (`power: null`): no numbers, and why. */
export interface PowerNotEstimated {
  estimated: false;
  profile: string;
  reason: string;
}

/** The parts of a compiled circuit (compiler/circuit/ir.ts `CircuitIR`) the estimate reads. */
export interface PowerCircuitView {
  profile: Profile;
  voltsPerUnit: number;
  structure: { populations: ReadonlyArray<{ name: string; kind: string }> };
  neurons: ReadonlyArray<{ population: string; membrane: { capacitanceF: number; leakConductanceS: number } }>;
  interneurons: readonly unknown[];
  inputs: ReadonlyArray<{ capacitanceF: number }>;
  arrays: ReadonlyArray<{ rows: number; cols: number; conductanceS: number[][]; mask: number[][] | null; plastic: unknown }>;
}

/** Options: how many membrane time constants an inference lasts (default 5). */
export interface PowerEstimateOptions {
  settleTaus?: number;
}

const LEFT_OUT = [
  'the digital periphery: event routing, configuration memory, the plasticity processor beyond its per-update share, clocks',
  'bias generators, reference and parameter DACs, pads and I/O beyond one conversion per input and output',
  'depressing-synapse pools and calibration trim DACs',
  'internal capacitances of rate and error units (their bias current is counted)',
  'leakage and activity-dependent currents beyond the stated bias currents',
];

/** The estimate for circuit `ir`: numbers from its profile's power section, or why there are none. */
export function estimatePower(ir: PowerCircuitView, o: PowerEstimateOptions = {}): PowerEstimate | PowerNotEstimated {
  const w = ir.profile.power;
  if (!w) return { estimated: false, profile: ir.profile.name, reason: NO_POWER_REASON };
  const settleTaus = o.settleTaus ?? 5;
  if (!(settleTaus > 0) || !Number.isFinite(settleTaus)) throw new RangeError(`settleTaus: expected a finite number > 0, got ${settleTaus}`);
  const tauS = meanTauS(ir);
  const classes = classEstimates(ir, w, tauS, settleTaus);
  const staticPowerW = sum(classes.map((k) => k.staticPowerW));
  const durationS = settleTaus * tauS;
  const staticEnergyJ = staticPowerW * durationS;
  const dynamicEnergyJ = sum(classes.map((k) => k.count * k.energyPerEventJ * k.eventsPerInference));
  const energyJ = staticEnergyJ + dynamicEnergyJ;
  const syn = classes.find((k) => k.class === 'synapse')!;
  return {
    estimated: true,
    profile: ir.profile.name,
    supplyV: w.supplyV,
    tauS,
    classes,
    totals: { staticPowerW, areaM2: sum(classes.map((k) => k.areaM2)) },
    synapticOperation: {
      definition: 'one synapse over one membrane time constant τ at a presynaptic signal of one unit (continuous time: no discrete events)',
      synapseOnlyJ: w.biasCurrentA.synapse * w.supplyV * tauS + syn.energyPerEventJ,
      allInJ: syn.count > 0 ? energyJ / (syn.count * settleTaus) : 0,
    },
    inference: { definition: `the network settling for ${settleTaus} τ of circuit time`, settleTaus, durationS, staticEnergyJ, dynamicEnergyJ, energyJ },
    learningUpdate: learningUpdate(ir, w, tauS, staticPowerW),
    leftOut: LEFT_OUT,
  };
}

/** The mean membrane time constant C/g_L of the circuit's neurons, seconds. */
function meanTauS(ir: PowerCircuitView): number {
  if (ir.neurons.length === 0) throw new RangeError('power estimate: the circuit has no neurons');
  return sum(ir.neurons.map((n) => timeConstantS(n.membrane.capacitanceF, n.membrane.leakConductanceS))) / ir.neurons.length;
}

/** The component classes of `ir` with their counts, static power, dynamic energy per event and area. */
function classEstimates(ir: PowerCircuitView, w: PowerModel, tauS: number, settleTaus: number): ClassEstimate[] {
  const V = w.supplyV;
  const dV = ir.voltsPerUnit;
  const I = w.biasCurrentA;
  const A = w.areaM2;
  const n = ir.neurons.length;
  const outputs = new Set(ir.structure.populations.filter((p) => p.kind === 'output').map((p) => p.name));
  const nOut = ir.neurons.filter((x) => outputs.has(x.population)).length;
  const syn = synapseCounts(ir);
  const meanC = (cs: number[]) => (cs.length ? sum(cs) / cs.length : 0);
  const row = (k: PowerClass, counted: string, count: number, biasA: number, areaM2: number, energyPerEventJ: number, event: string, eventsPerInference: number, cells = count): ClassEstimate => ({
    class: k, counted, count, cells, staticPowerW: count * biasA * V, energyPerEventJ, event, eventsPerInference, areaM2: cells * areaM2,
  });
  return [
    row('neuron', 'membrane with its amplifier, one per neuron', n, I.neuron, A.neuron, meanC(ir.neurons.map((x) => x.membrane.capacitanceF)) * dV * V, 'the membrane moves one unit: C·ΔV·V_dd', 1),
    row('interneuron', 'microcircuit interneuron compartment (neuron values)', ir.interneurons.length, I.neuron, A.neuron, 0, 'none modelled (instantaneous compartment)', 0),
    row('rateUnit', 'prospective rate unit with its transfer ρ, one per neuron', n, I.rateUnit, A.rateUnit, 0, 'none modelled (bias only)', 0),
    row('errorUnit', 'error unit, one per neuron', n, I.errorUnit, A.errorUnit, 0, 'none modelled (bias only)', 0),
    row('synapse', 'non-zero synapses of every array, separate error and feedback arrays included (cells: every cell laid out)', syn.nonZero, I.synapse, A.synapse, syn.nonZero ? (syn.sumAbsG / syn.nonZero) * dV * tauS * V : 0, 'one τ at one unit of presynaptic signal: |G|·ΔV·τ·V_dd', settleTaus, syn.cells),
    row('inputFilter', 'input low-pass, one per input', ir.inputs.length, I.inputFilter, A.inputFilter, meanC(ir.inputs.map((x) => x.capacitanceF)) * dV * V, 'the filter moves one unit: C·ΔV·V_dd', 1),
    row('interface', `conversion channel: one per input (DAC) and per output (ADC), ${ir.inputs.length} + ${nOut}`, ir.inputs.length + nOut, 0, A.interface, w.conversionEnergyJ, 'one conversion', 1),
  ];
}

/** Synapses of all arrays: non-zero ones, cells laid out (mask or rows × cols), Σ|G| over the non-zero ones. */
function synapseCounts(ir: PowerCircuitView): { nonZero: number; cells: number; sumAbsG: number } {
  let nonZero = 0;
  let cells = 0;
  let sumAbsG = 0;
  for (const a of ir.arrays) {
    cells += arrayCells(a);
    for (const r of a.conductanceS) for (const g of r) if (g !== 0) { nonZero++; sumAbsG += Math.abs(g); }
  }
  return { nonZero, cells, sumAbsG };
}

/** Cells an array lays out: the mask's ones, or rows × cols when dense. */
function arrayCells(a: { rows: number; cols: number; mask: number[][] | null }): number {
  return a.mask ? sum(a.mask.map((r) => sum(r))) : a.rows * a.cols;
}

/** One learning update's energy on the profile's plasticity realisation (see estimatePower). */
function learningUpdate(ir: PowerCircuitView, w: PowerModel, tauS: number, staticPowerW: number): LearningUpdateEstimate {
  const plastic = ir.arrays.filter((a) => a.plastic);
  if (plastic.length === 0) return { estimated: false, reason: 'no plastic array (no projection of the network is plastic)' };
  const p = ir.profile.plasticity;
  if (p.kind === 'ideal') return { estimated: false, reason: 'ideal weight storage: no update circuit to estimate' };
  const plasticSynapses = sum(plastic.map(arrayCells));
  const intervalS = p.kind === 'digital' ? p.updatePeriodS : tauS;
  const updateEnergyJ = plasticSynapses * w.plasticityUpdateEnergyJ;
  const definition =
    p.kind === 'digital'
      ? `every plastic synapse's register written once per update period (${intervalS} s), with the network running meanwhile`
      : 'the analog update circuits of every plastic synapse running for one τ, with the network running meanwhile';
  return { estimated: true, kind: p.kind, definition, intervalS, plasticSynapses, updateEnergyJ, energyJ: updateEnergyJ + staticPowerW * intervalS };
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
