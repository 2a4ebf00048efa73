import { UsageError } from '../../core/errors.js';
import { inputFilterTauS } from '../../hardware-models/components/input-filter.js';
import { membraneTauS } from '../../hardware-models/components/membrane.js';
import { synapseConductance, synapseSpice, synapseWeight } from '../../hardware-models/components/synapse-array.js';
import type { ArrayCircuit, CircuitIR } from '../circuit/ir.js';
import { node } from './nodes.js';

/** Indices of the circuit's neurons, stimulus inputs and interneurons by what they realise. */
export interface Indices {
  neuron: Map<string, number>;
  input: Map<string, number>;
  interneuron: Map<string, number>;
}

/**
 * The paths a synapse's conductance appears on, each a G element named `G<path>_<row>_<col>`:
 * `s` soma (prospective rate into the basal node sb), `l` the input's look-ahead τ_post dr̄/dt into sb,
 * `p` dendritic prediction (r̄ into pd), `t` the exact transpose (m of the row into the apical node of
 * the column), `a` apical (B, W^PI into ap), `i` interneuron (W^IP into ip, B^IP into nb).
 */
export type SynapsePath = 's' | 'l' | 'p' | 't' | 'a' | 'i';

/** A presynaptic signal as the pair of nodes its voltage is read between. */
type Signal = [string, string];

export interface ArrayContext {
  ir: CircuitIR;
  at: Indices;
  needsMismatch: boolean;
  /** The node an array's column reads when its carrier is a depressing pool (the pool's output). */
  poolOut: (arrayIndex: number, col: number) => string;
}

/**
 * Array k as a subcircuit `arr<k>` with one G element per synapse and path (zero conductances have none),
 * its ports the outer nodes it reads and drives, and the instance that places it; both commented with the
 * projection the array realises and the meaning of the element names.
 */
export function arrayLines(c: ArrayContext, k: number): { definition: string[]; instance: string[] } {
  const a = c.ir.arrays[k]!;
  const elements: string[] = [];
  a.conductanceS.forEach((row, r) => {
    row.forEach((G, col) => {
      if (G === 0) return;
      for (const [path, post, signal, value, subtract] of synapsePaths(c, k, a, r, col, G)) elements.push(synapseSpice(`G${path}_${r}_${col}`, post, signal[0], signal[1], value, subtract));
    });
  });
  // ports: the signals the array reads, then the summing nodes it drives (each in order of first use)
  const parts = elements.map((l) => l.split(' '));
  const ports = [...new Set([...parts.flatMap((x) => [x[3]!, x[4]!]), ...parts.flatMap((x) => [x[1]!, x[2]!])])].filter((n) => n !== '0');
  const name = `arr${k}`;
  const nonzero = nonzeroSynapses(a);
  const what = `${a.realises} (${a.role}, ${a.post.population}[row] ← ${a.pre.population}[col], ${a.rows}×${a.cols}, ${nonzero} nonzero synapses, carrier ${a.carrier.kind})`;
  return {
    definition: [
      `* synapse array ${name} realises ${what}`,
      '* G<path>_<row>_<col>: synapse [row][col] on path s (soma, rate r), l (input look-ahead), p (prediction, r̄), t (transpose, m), a (apical), i (interneuron)',
      `.subckt ${name} ${ports.join(' ')}`,
      ...elements,
      `.ends ${name}`,
    ],
    instance: [`* ${a.realises}: synapse array (${a.rows}×${a.cols})`, `Xa_${k} ${ports.join(' ')} ${name}`],
  };
}

/** The G elements of synapse [r][col] of array k: path, postsynaptic node, signal, conductance, sign. */
function synapsePaths(c: ArrayContext, k: number, a: ArrayCircuit, r: number, col: number, G: number): Array<[SynapsePath, string, Signal, number, boolean]> {
  const { ir, at } = c;
  const pre = `${a.pre.population}[${col}]`;
  const post = `${a.post.population}[${r}]`;
  const idx = (m: Map<string, number>, name: string) => {
    const i = m.get(name);
    if (i === undefined) throw new UsageError(`SPICE: array ${a.realises} refers to ${name}, which the circuit does not have`);
    return i;
  };
  switch (a.role) {
    case 'forward': {
      const p = idx(at.neuron, post);
      const out: Array<[SynapsePath, string, Signal, number, boolean]> = [];
      if (a.pre.type === 'input' && !at.input.has(pre)) {
        out.push(['s', node.sb(p), [node.bias, '0'], G, false]);
        if (c.needsMismatch) out.push(['p', node.pd(p), [node.bias, '0'], G, false]);
        return out;
      }
      if (a.pre.type === 'input') {
        const j = idx(at.input, pre);
        const kLook = membraneTauS(ir.neurons[p]!.membrane) / inputFilterTauS(ir.inputs[j]!);
        out.push(['s', node.sb(p), [node.rbi(j), '0'], G, false], ['l', node.sb(p), [node.rin(j), node.rbi(j)], G * kLook, false]);
        if (c.needsMismatch) out.push(['p', node.pd(p), [node.rbi(j), '0'], G, false]);
        return out;
      }
      const q = idx(at.neuron, pre);
      out.push(['s', node.sb(p), [node.r(q), '0'], G, false]);
      if (c.needsMismatch) out.push(['p', node.pd(p), [node.rho(q), '0'], G, false]);
      if (ir.structure.feedback === 'transpose' && ir.structure.feedbackArray === 'exact') {
        const gT = synapseConductance(synapseWeight(G, ir.neurons[p]!.membrane.leakConductanceS), ir.neurons[q]!.membrane.leakConductanceS);
        out.push(['t', node.ap(q), [node.m(p), '0'], gT, false]);
      }
      return out;
    }
    case 'feedback': {
      const p = idx(at.neuron, post);
      if (ir.structure.feedback !== 'microcircuit') return [['a', node.ap(p), [node.m(idx(at.neuron, pre)), '0'], G, false]];
      return [['a', node.ap(p), topDown(c, k, a, idx(at.neuron, pre), col), G, false]];
    }
    case 'int-to-pyr':
      return [['a', node.ap(idx(at.neuron, post)), [node.ui(idx(at.interneuron, pre)), '0'], G, true]];
    case 'pyr-to-int':
      return [['i', node.ip(idx(at.interneuron, post)), [node.rho(idx(at.neuron, pre)), '0'], G, false]];
    case 'int-nudge':
      return [['i', node.nb(idx(at.interneuron, post)), topDown(c, k, a, idx(at.neuron, pre), col), G, false]];
  }
}

/** What a top-down array reads of presynaptic neuron q: its voltage (wire), its rate, or a pool's output. */
function topDown(c: ArrayContext, k: number, a: ArrayCircuit, q: number, col: number): Signal {
  if (a.carrier.kind === 'wire') return [node.u(q), node.ref];
  if (a.carrier.kind === 'rate') return [node.rho(q), '0'];
  return [c.poolOut(k, col), '0'];
}

/** Number of nonzero synapses of an array (each has one G element per path it drives). */
export function nonzeroSynapses(a: ArrayCircuit): number {
  return a.conductanceS.reduce((s, row) => s + row.filter((G) => G !== 0).length, 0);
}

/** Whether an array of the circuit reads the mismatch m (transpose and random feedback). */
export function readsMismatch(ir: CircuitIR): boolean {
  return ir.structure.feedback !== 'microcircuit' && (ir.arrays.some((a) => a.role === 'feedback') || (ir.structure.feedback === 'transpose' && ir.structure.feedbackArray === 'exact'));
}

