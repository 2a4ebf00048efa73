import { NumericalError, UsageError } from '../../core/errors.js';
import { maxAbs } from '../../core/vector.js';
import { SignalDrive } from '../stimulus/signal-drive.js';
import { ConstantSignal } from '../stimulus/signal.js';
import type { AnalogModel } from './model.js';
import { AnalogSystem } from './system.js';

/**
 * The DC operating point of a compiled circuit (SPICE's `.op`) for constant input rates, with plasticity
 * off and no target: where the transient settles, computed without integrating it.
 *
 * At DC every prospective term vanishes (u̇ = 0: a lead stage or current-sensing unit outputs ρ itself, an
 * input low-pass passes its rate with gain 1), so the circuit sits where f(u) = u − W r(u) − ē(u) equals
 * the rest offsets θ. The errors are not 0 on a chip: a neuron's rest offset reads as a prediction error
 * u − W r to the layer below, which the error path carries down. This is the emulator's own equilibrium
 * (system.ts `initialState(…, 'equilibrium')`: forward sweeps, then Newton on f = θ), with the chip's
 * realised weights, offsets and transfer functions. Thermal noise is left out: the noiseless operating
 * point. Nodes that would settle beyond a rail sit at the rail (the sweeps below; `railNodes` counts them).
 * Known difference: with nodes at a rail, the emulator's transient settles elsewhere (by up to 0.1 units
 * downstream on the accelerated profile; docs/hardware.md, Monte Carlo), so callers report rail hits. test/analog/dc-operating-point.test.ts holds it to a long transient of the emulator.
 */
export class DcOperatingPoint {
  private readonly system: AnalogSystem;

  constructor(readonly model: AnalogModel) {
    const g = model.graph;
    if (g.interneurons.length > 0) throw new UsageError(`the DC operating point is computed for networks without interneurons; '${g.name}' is a microcircuit`);
    this.system = new AnalogSystem(model, false);
  }

  /** How many nodes sat at a rail in the last solve (see the class comment). */
  railNodes = 0;

  /** The settled voltages u (units, neuron order of the model's graph) for stimulus rates `rates`. */
  solve(rates: ArrayLike<number>): Float64Array {
    const n = this.model.graph.nStimulusInputs;
    if (rates.length !== n) throw new UsageError(`the DC operating point of '${this.model.graph.name}' needs ${n} input rates, got ${rates.length}`);
    this.system.drive = new SignalDrive(new ConstantSignal(rates));
    this.system.initialState(0, 'equilibrium');
    const { w, dyn } = this.system.eq;
    const m = this.model;
    const N = m.graph.nNeurons;
    const outside = () => w.u.subarray(0, N).some((v, i) => v < m.railLow[i]! || v > m.railHigh[i]!);
    const atRails = () => (this.railNodes = w.u.subarray(0, N).reduce((k, v, i) => k + (v <= m.railLow[i]! || v >= m.railHigh[i]! ? 1 : 0), 0));
    if (!outside()) {
      atRails();
      return w.u.subarray(0, N);
    }
    // Newton does not know the rails: where a node would sit beyond one, it sits at the rail. Iterate
    // u ← clamp(u − (f(u) − θ)) (u ← clamp(θ + W r + ē)): the forward part settles in depth + 1 sweeps,
    // the offsets' error feedback is a contraction while its loop gain is below 1.
    let change = Infinity;
    for (let it = 0; it < MAX_SWEEPS; it++) {
      dyn.evaluate(false);
      change = 0;
      for (let i = 0; i < N; i++) {
        const v = w.u[i]! - (w.f[i]! - m.theta[i]!);
        const c = v < m.railLow[i]! ? m.railLow[i]! : v > m.railHigh[i]! ? m.railHigh[i]! : v;
        change = Math.max(change, Math.abs(c - w.u[i]!));
        w.u[i] = c;
      }
      if (change <= 1e-13 * Math.max(1, maxAbs(w.u))) {
        atRails();
        return w.u.subarray(0, N);
      }
    }
    throw new NumericalError(`DC operating point: with nodes at their rails the sweeps did not settle (last change ${change.toExponential(2)} units after ${MAX_SWEEPS} sweeps)`, 0, m.graph.name, 'the error feedback of this chip has a loop gain of 1 or more at this input');
  }
}

const MAX_SWEEPS = 5000;
