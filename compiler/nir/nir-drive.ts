import type { NirArray } from './nir-graph.js';
import type { NirWiring } from './nir-wiring.js';

/**
 * What NIR's LI node does to its input, restated in NLA's terms. NIR: tau·v̇ = (v_leak − v) + r·I with
 * I = Σ (W x + b) over its incoming Linear/Affine nodes; NLA: τ·u̇ = −u + Σ W x + bias. So NLA's weights are
 * r ⊙ W (row-wise) and NLA's bias is v_leak + r ⊙ Σ b. With r = 1 and v_leak = 0 (what NLA writes) nothing changes.
 */
export interface NeuronDrive {
  /** Projection name → rows of NLA weights (r-scaled when r ≠ 1). */
  weights: Map<string, number[][]>;
  /** Population name → NLA bias (null when the population has no Affine input and v_leak = 0). */
  bias: Map<string, number[] | null>;
  /** Populations where r ≠ 1 or v_leak ≠ 0 were folded (for the notes). */
  folded: string[];
}

/** The folded weights and biases of every projection and population of a wiring; `conv` maps each value read. */
export function neuronDrive(w: NirWiring, conv: (a: NirArray) => number[]): NeuronDrive {
  const out: NeuronDrive = { weights: new Map(), bias: new Map(), folded: [] };
  for (const n of w.neurons) {
    const r = conv(n.node.r);
    const vLeak = conv(n.node.v_leak);
    const unit = r.every((x) => x === 1) && vLeak.every((x) => x === 0);
    if (!unit) out.folded.push(n.name);
    let bias: number[] | null = unit ? null : vLeak.slice();
    for (const p of w.projections.filter((q) => q.to === n.name)) {
      const [rows, cols] = p.node.weight.shape as [number, number];
      const flat = conv(p.node.weight);
      const m: number[][] = [];
      for (let i = 0; i < rows; i++) m.push(flat.slice(i * cols, (i + 1) * cols).map((x) => (unit ? x : r[i]! * x)));
      out.weights.set(p.name, m);
      if (p.node.type === 'Affine') {
        const b = conv(p.node.bias);
        bias = bias ? bias.map((x, i) => x + (unit ? b[i]! : r[i]! * b[i]!)) : b.map((x, i) => (unit ? x : r[i]! * x));
      }
    }
    out.bias.set(n.name, bias);
  }
  return out;
}

/** Float64 values as they are; float32 values as the shortest decimal that rounds to the same float32. */
export function decimalValues(a: NirArray): number[] {
  return a.dtype === 'float32' ? a.values.map(shortestFloat32) : a.values;
}

function shortestFloat32(x: number): number {
  for (let p = 1; p <= 9; p++) {
    const d = Number(x.toPrecision(p));
    if (Math.fround(d) === x) return d;
  }
  return x;
}
