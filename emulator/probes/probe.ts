import { UsageError } from '../../core/errors.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';

/**
 * What can be recorded. On neuron populations: u (soma voltage), udot (du/dt, per ms), rbar (ρ(u), the
 * low-pass filtered rate), r (prospective rate r̄ + τ dr̄/dt), ebar (the error ē of Eq. 7b), e (the
 * prospective error ē + τ dē/dt), f (∂L/∂u, zero on the moving equilibrium), eraw (u − W r̄), ustar
 * (target, outputs). On input populations: rin (raw rate) and rbar (filtered rate). On interneurons: u.
 * Without lookahead, r and e report what the leaky neurons use: r̄ and the output-driven ē.
 */
export const NEURON_QUANTITIES = ['u', 'udot', 'rbar', 'r', 'ebar', 'e', 'f', 'eraw', 'ustar'] as const;
export const INPUT_QUANTITIES = ['rin', 'rbar'] as const;
export type Quantity = (typeof NEURON_QUANTITIES)[number] | (typeof INPUT_QUANTITIES)[number];

/** One recorded column source: a quantity of a population, at given neuron indices (within the population). */
export interface Probe {
  quantity: Quantity;
  target: 'neuron' | 'input' | 'interneuron';
  /** Population index within its kind. */
  pop: number;
  popName: string;
  indices: number[];
}

/**
 * Parses a probe list such as `u,e`, `u:out`, `f:h1[0:5]`, `rbar:in[3]` (ranges are half-open).
 * A quantity without a population probes every population it applies to (neurons for most quantities).
 */
export function parseProbes(text: string, g: NlaGraph): Probe[] {
  const probes: Probe[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)(?::([^[\]]+)(?:\[(\d+)(?::(\d+))?\])?)?$/.exec(raw);
    if (!m) throw new UsageError(`probe '${raw}': expected quantity[:population[index]] such as u, u:out, f:h1[0:5]`);
    const q = m[1]!;
    if (![...NEURON_QUANTITIES, ...INPUT_QUANTITIES].includes(q as Quantity)) {
      throw new UsageError(`probe '${raw}': unknown quantity '${q}'; expected one of ${[...new Set([...NEURON_QUANTITIES, ...INPUT_QUANTITIES])].join(', ')}`);
    }
    const quantity = q as Quantity;
    if (m[2] === undefined) {
      if (quantity === 'rin') g.inputs.forEach((p, i) => p.constantRate === null && probes.push(all('input', i, p.name, p.size, quantity)));
      else if (quantity === 'ustar') g.neurons.forEach((p, i) => p.kind === 'output' && probes.push(all('neuron', i, p.name, p.size, quantity)));
      else g.neurons.forEach((p, i) => probes.push(all('neuron', i, p.name, p.size, quantity)));
      continue;
    }
    const name = m[2];
    const found = findPopulation(g, name);
    if (!found) {
      const names = [...g.inputs.filter((p) => p.constantRate === null), ...g.neurons, ...g.interneurons].map((p) => p.name);
      throw new UsageError(`probe '${raw}': unknown population '${name}'; expected one of ${names.join(', ')}`);
    }
    const allowed: readonly string[] = found.target === 'input' ? INPUT_QUANTITIES : found.target === 'interneuron' ? ['u'] : NEURON_QUANTITIES;
    if (!allowed.includes(quantity)) throw new UsageError(`probe '${raw}': '${quantity}' is not recorded on ${found.target} populations (use ${allowed.join(', ')})`);
    let indices = Array.from({ length: found.size }, (_, i) => i);
    if (m[3] !== undefined) {
      const lo = Number(m[3]);
      const hi = m[4] !== undefined ? Number(m[4]) : lo + 1;
      if (!(lo < hi && hi <= found.size)) throw new UsageError(`probe '${raw}': index range [${lo}:${hi}) is outside ${name}, which has ${found.size} neurons`);
      indices = indices.slice(lo, hi);
    }
    probes.push({ quantity, target: found.target, pop: found.pop, popName: name, indices });
  }
  return probes;
}

function all(target: Probe['target'], pop: number, popName: string, size: number, quantity: Quantity): Probe {
  return { quantity, target, pop, popName, indices: Array.from({ length: size }, (_, i) => i) };
}

function findPopulation(g: NlaGraph, name: string) {
  const i = g.inputs.findIndex((p) => p.name === name && p.constantRate === null);
  if (i >= 0) return { target: 'input' as const, pop: i, size: g.inputs[i]!.size };
  const n = g.neurons.findIndex((p) => p.name === name);
  if (n >= 0) return { target: 'neuron' as const, pop: n, size: g.neurons[n]!.size };
  const k = g.interneurons.findIndex((p) => p.name === name);
  if (k >= 0) return { target: 'interneuron' as const, pop: k, size: g.interneurons[k]!.size };
  return undefined;
}

/** Column label of one probed value: `u:h1[3]`, with `#b` for batch sample b when batch > 1. */
export function columnLabel(p: Probe, index: number, sample: number, batch: number): string {
  return `${p.quantity}:${p.popName}[${index}]${batch > 1 ? `#${sample}` : ''}`;
}
