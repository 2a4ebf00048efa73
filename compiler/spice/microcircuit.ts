import { UsageError } from '../../core/errors.js';
import type { CircuitIR } from '../circuit/ir.js';
import type { Indices } from './arrays.js';
import { node } from './nodes.js';
import { num, seconds } from './params.js';

/**
 * The interneuron compartment (theory §5: linear, instantaneous) as a subcircuit `interneuron`, ports
 * `ip` and `nb` (the summing nodes of W^IP r̄ and B^IP u, each closed by the compartment's reference
 * conductance g, so a current I reads as the voltage I/g) and `ui` (u^I·vunit), parameters `g` (S) and
 * `bi` (β^I): u^I = (1 − β^I) W^IP r̄ + β^I B^IP u.
 */
export function interneuronSubckt(): string[] {
  return ['.subckt interneuron ip nb ui params: g=1e-9 bi=0.1', 'R1 ip 0 {1/g}', 'R2 nb 0 {1/g}', 'B1 ui 0 V=({1-bi})*v(ip)+({bi})*v(nb)', '.ends interneuron'];
}

/** One instance per interneuron, commented with what it realises. */
export function interneuronLines(ir: CircuitIR): string[] {
  return ir.interneurons.flatMap((k, i) => [`* ${k.realises}: interneuron compartment (g = ${num(k.leakConductanceS)} S)`, `Xi_${i} ${node.ip(i)} ${node.nb(i)} ${node.ui(i)} interneuron g=${num(k.leakConductanceS)} bi={beta_i}`]);
}

/** The node of the pool output that column `col` of array k reads (depressing carriers). */
export function poolOutNode(k: number, col: number): string {
  return `dp${k}_${col}`;
}

/**
 * The depressing carriers' pools: per depressing array, one `pool` instance per column between the
 * presynaptic rate node ρ and the array (τ_rec, a and d of that column, the stage capacitor).
 */
export function poolLines(ir: CircuitIR, at: Indices): string[] {
  return ir.arrays.flatMap((a, k) => {
    const car = a.carrier;
    if (car.kind !== 'depressing') return [];
    if (car.recoveryS.length !== a.cols || car.a.length !== a.cols || car.d.length !== a.cols) throw new UsageError(`SPICE: array ${a.realises} has a depressing carrier with ${car.recoveryS.length}/${car.a.length}/${car.d.length} pool values for ${a.cols} columns`);
    return Array.from({ length: a.cols }, (_, col) => {
      const pre = `${a.pre.population}[${col}]`;
      const q = at.neuron.get(pre);
      if (q === undefined) throw new UsageError(`SPICE: array ${a.realises} has a depressing carrier from ${pre}, which is not a neuron`);
      return [
        `* ${a.realises}[:][${col}]: depressing pool of ${pre} (τ_rec ${num(car.recoveryS[col]!)} s, a ${num(car.a[col]!)}, d ${num(car.d[col]!)})`,
        `Xp_${k}_${col} ${node.rho(q)} ${poolOutNode(k, col)} pool trec=${seconds(ir, car.recoveryS[col]!)} a=${num(car.a[col]!)} d=${num(car.d[col]!)} cp={cstage}`,
      ];
    }).flat();
  });
}
