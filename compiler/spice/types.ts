import type { DepressingParams } from '../../hardware-models/components/depressing-synapse.js';

/** A piecewise-linear drive: times (model ms) and one value list per channel (model units). */
export interface PwlChannels {
  times: ArrayLike<number>;
  channels: Array<ArrayLike<number>>;
}

export interface SpiceOptions {
  /** Transient length in model ms. */
  durationModelMs: number;
  /** Output interval in model ms. */
  sampleEveryModelMs?: number;
  /** Input rates: times (model ms) and one value list per input channel (piecewise linear in SPICE). */
  inputs?: PwlChannels;
  /** Targets for the outputs, the same way (no missing values). */
  targets?: PwlChannels;
  /** Extra depressing synapses reading a neuron's rate r̄ (for cross-checks of the component). */
  depressing?: Array<{ pre: string; params: DepressingParams }>;
  reltol?: number;
  /**
   * The state the transient starts from, as `--init` means it for the emulators: `rest` holds every
   * membrane at u = 0 and every input low-pass at r̄ = 0 while ngspice solves the operating point
   * (`.ic`; the lead stages and depressing pools settle there), `equilibrium` starts from the operating
   * point of the circuit driven by the inputs at t = 0.
   */
  init: 'rest' | 'equilibrium';
  /**
   * A `.save` list and a `.control` block that runs the transient and writes the saved traces to this
   * raw file (ASCII), so that `ngspice -b <file>` needs nothing else. Absent: no control block (the
   * caller runs the netlist: the spice engine).
   */
  standalone?: { rawFile: string };
}

/** One saved node: what it is and how to convert it back to model units (x = (V − offset)/scale). */
export interface SpiceOutput {
  node: string;
  /** The trace's name as the emulators name it (`u:h1[3]`, `rbar:h1[3]`, `e:out[0]`, `uI:i[0]`). */
  quantity: string;
  offsetV: number;
  scaleV: number;
}

export interface SpiceNetlist {
  netlist: string;
  /** Node voltages the caller reads (the membranes first, in the circuit's neuron order). */
  outputs: SpiceOutput[];
  /** Seconds of circuit time per model ms. */
  timeScale: number;
  /** The transient's stop time (`.tran`), s. */
  stopS: number;
  /** What each neuron index of the node names realises (`h1[3]` for u3, rho3, …), and each input index. */
  neurons: string[];
  inputs: string[];
  interneurons: string[];
}
