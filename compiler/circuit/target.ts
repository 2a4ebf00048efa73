import type { ArrayCircuit, CircuitIR } from './ir.js';

/**
 * The reference conductance of an array's row: the leak of the compartment it injects into (a neuron's
 * g_L, also for the apical error path, or an interneuron's). The dimensionless weight is G / that.
 */
export function rowConductance(ir: CircuitIR, a: ArrayCircuit, row: number): number {
  if (a.post.type === 'interneuron') return interneuronOf(ir, a.post.population, row).leakConductanceS;
  return neuronOf(ir, a.post.population, row).membrane.leakConductanceS;
}

export function neuronOf(ir: CircuitIR, population: string, index: number) {
  const n = ir.neurons.find((x) => x.population === population && x.index === index);
  if (!n) throw new Error(`internal: no neuron ${population}[${index}] in the circuit`);
  return n;
}

export function interneuronOf(ir: CircuitIR, population: string, index: number) {
  const n = ir.interneurons.find((x) => x.population === population && x.index === index);
  if (!n) throw new Error(`internal: no interneuron ${population}[${index}] in the circuit`);
  return n;
}
