import type { SpiceNetlist } from './types.js';

/**
 * Node names of the netlist. Per neuron i (the circuit's neuron order): membrane `u<i>`, transfer
 * `rho<i>` (V·ρ) and `drho<i>` (ρ'), prospective rate `r<i>`, basal input `sb<i>` (W r as I/g_L),
 * dendritic prediction `pd<i>` (W r̄), mismatch `m<i>` (u − W r̄), apical input `ap<i>`, error ē `eb<i>`,
 * error unit `e<i>`, target `ust<i>`. Per input j: source `rin<j>`, low-pass `rbi<j>`. Per interneuron
 * k: `ui<k>` (u^I), `ip<k>` (W^IP r̄), `nb<k>` (B^IP u). Every signal but u and ust is 0-referenced
 * (volts = units × vunit); u and ust are absolute (erest + units × vunit) and read against `vref`.
 */
export const node = {
  u: (i: number) => `u${i}`,
  rho: (i: number) => `rho${i}`,
  drho: (i: number) => `drho${i}`,
  r: (i: number) => `r${i}`,
  sb: (i: number) => `sb${i}`,
  pd: (i: number) => `pd${i}`,
  m: (i: number) => `m${i}`,
  ap: (i: number) => `ap${i}`,
  eb: (i: number) => `eb${i}`,
  e: (i: number) => `e${i}`,
  ust: (i: number) => `ust${i}`,
  rin: (j: number) => `rin${j}`,
  rbi: (j: number) => `rbi${j}`,
  ui: (k: number) => `ui${k}`,
  ip: (k: number) => `ip${k}`,
  nb: (k: number) => `nb${k}`,
  /** The nominal rest level erest: the reference of every signal read from a membrane. */
  ref: 'vref',
  bias: 'bias',
};

const NODE_MEANING: Record<string, string> = {
  u: 'membrane u',
  rho: 'ρ(u)',
  drho: "ρ'(u)",
  r: 'rate r',
  sb: 'basal input W r',
  pd: 'dendritic prediction W r̄',
  m: 'mismatch u − W r̄',
  ap: 'apical input',
  eb: 'apical error ē',
  e: 'error unit e',
  ust: 'target u*',
};

/** A netlist node in words: `drho7` → `node drho7 (ρ'(u) of h1[7])`; unknown names as they are. */
export function describeNode(net: Pick<SpiceNetlist, 'neurons' | 'inputs'> & Partial<Pick<SpiceNetlist, 'interneurons'>>, name: string): string {
  const n = /^(u|rho|drho|r|sb|pd|m|ap|eb|e|ust)(\d+)$/.exec(name);
  const who = n ? net.neurons[Number(n[2])] : undefined;
  if (n && who !== undefined) return `node ${name} (${NODE_MEANING[n[1]!] ?? n[1]} of ${who})`;
  const i = /^(rin|rbi)(\d+)$/.exec(name);
  const inp = i ? net.inputs[Number(i[2])] : undefined;
  if (i && inp !== undefined) return `node ${name} (${i[1] === 'rin' ? 'rate source' : 'low-passed rate r̄'} of input ${inp})`;
  const k = /^(ui|ip|nb)(\d+)$/.exec(name);
  const int = k ? net.interneurons?.[Number(k[2])] : undefined;
  if (k && int !== undefined) return `node ${name} (${k[1] === 'ui' ? 'u^I' : k[1] === 'ip' ? 'W^IP r̄' : 'B^IP u'} of interneuron ${int})`;
  const x = /^x(\w+?)_(\d+)\.(\w+)$/.exec(name);
  if (x) {
    const idx = Number(x[2]);
    const owner = x[1]!.startsWith('e') || x[1]!.startsWith('r') || x[1]!.startsWith('m') ? net.neurons[idx] : undefined;
    return `node ${name}${owner ? ` (inside the ${x[1]} subcircuit of ${owner})` : ''}`;
  }
  return `node ${name}`;
}
