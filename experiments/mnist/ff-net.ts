import type { NlaGraph } from '../../compiler/graph/graph.js';
import type { ImageSet } from './dataset.js';

/**
 * The feed-forward network equivalent to a layered NLA net D-H-O with biases and hard-sigmoid hidden
 * units: h = ρ(W1 x + b1), u = W2 h + b2, read out by argmax of the output voltages u. It is both the
 * back-propagation control (plain SGD on C = ½‖u* − u‖², the NLA's cost) and the "settled" readout of
 * an NLA net: without nudging, its equilibrium voltages are exactly these (theory §2, layered case).
 */
export class FeedForwardNet {
  readonly h: Float64Array;
  readonly uh: Float64Array;
  readonly u: Float64Array;
  /** δ of the last backward pass (hidden errors after ρ'). */
  readonly hiddenError: Float64Array;
  private readonly target: Float64Array;

  constructor(
    readonly D: number,
    readonly H: number,
    readonly O: number,
    /** H × D, H, O × H, O (row-major), owned by this net unless given as views. */
    readonly W1: Float64Array,
    readonly b1: Float64Array,
    readonly W2: Float64Array,
    readonly b2: Float64Array,
  ) {
    this.h = new Float64Array(H);
    this.uh = new Float64Array(H);
    this.u = new Float64Array(O);
    this.hiddenError = new Float64Array(H);
    this.target = new Float64Array(O);
  }

  /** A copy (or, with `view`, live views) of the weights of a layered D-H-O graph with biases. */
  static fromWeights(g: NlaGraph, weights: Float64Array[], view = false): FeedForwardNet {
    const at = (name: string) => {
      const k = g.projections.findIndex((p) => p.name === name);
      if (k < 0) throw new Error(`internal: the network has no projection ${name}`);
      return view ? weights[k]! : Float64Array.from(weights[k]!);
    };
    const hid = g.neurons.find((n) => n.kind === 'hidden')!.name;
    const out = g.neurons.find((n) => n.kind === 'output')!.name;
    const inp = g.inputs[0]!.name;
    const W1 = at(`${inp}->${hid}`);
    const W2 = at(`${hid}->${out}`);
    const H = W2.length / g.outputs.length;
    return new FeedForwardNet(W1.length / H, H, g.outputs.length, W1, at(`bias->${hid}`), W2, at(`bias->${out}`));
  }

  /** Forward pass on pixels[offset …]; returns the argmax of the output voltages. */
  forward(x: Float32Array, offset: number): number {
    const { D, H, W1, b1, h, uh } = this;
    for (let i = 0; i < H; i++) {
      let s = b1[i]!;
      const r = i * D;
      for (let j = 0; j < D; j++) s += W1[r + j]! * x[offset + j]!;
      uh[i] = s;
      h[i] = s <= 0 ? 0 : s >= 1 ? 1 : s;
    }
    return this.outputForward();
  }

  /** Output voltages u = W₂h + b₂ from the hidden rates h already in place; returns their argmax. */
  outputForward(): number {
    const { H, O, W2, b2, h, u } = this;
    let best = 0;
    for (let k = 0; k < O; k++) {
      let s = b2[k]!;
      for (let i = 0; i < H; i++) s += W2[k * H + i]! * h[i]!;
      u[k] = s;
      if (s > u[best]!) best = k;
    }
    return best;
  }

  /** One SGD step on ½‖onehot(label) − u‖² with learning rate lr; returns the cost before the step. */
  sgdStep(x: Float32Array, offset: number, label: number, lr: number): number {
    const { D, H, W1, target, hiddenError } = this;
    target.fill(0);
    target[label] = 1;
    this.forward(x, offset);
    const cost = this.backpropagate(target, lr);
    for (let i = 0; i < H; i++) {
      const g = hiddenError[i]!;
      if (g === 0) continue;
      const r = i * D;
      const a = lr * g;
      for (let j = 0; j < D; j++) W1[r + j] = W1[r + j]! + a * x[offset + j]!;
    }
    return cost;
  }

  /**
   * The backward pass after a forward pass: with e = target − u, fills `hiddenError` with
   * δ = ρ'(u₁) ⊙ W₂ᵀe (W₂ before its update) and steps W₂, b₂ and b₁ by lr; W₁ is left to the caller
   * (its step is lr·δ xᵀ). Returns the cost ½‖e‖².
   */
  backpropagate(target: Float64Array, lr: number): number {
    const { H, O, b1, W2, b2, h, uh, u, hiddenError: dh } = this;
    dh.fill(0);
    let cost = 0;
    for (let k = 0; k < O; k++) {
      const e = target[k]! - u[k]!; // −∂C/∂u
      cost += 0.5 * e * e;
      const r = k * H;
      for (let i = 0; i < H; i++) {
        dh[i] = dh[i]! + W2[r + i]! * e;
        W2[r + i] = W2[r + i]! + lr * e * h[i]!;
      }
      b2[k] = b2[k]! + lr * e;
    }
    for (let i = 0; i < H; i++) {
      const g = uh[i]! > 0 && uh[i]! < 1 ? dh[i]! : 0;
      dh[i] = g;
      b1[i] = b1[i]! + lr * g;
    }
    return cost;
  }

  /** Fraction of misclassified images among `indices` of the set. */
  errorRate(set: ImageSet, indices: ArrayLike<number>): number {
    let wrong = 0;
    for (let k = 0; k < indices.length; k++) {
      const n = indices[k]!;
      if (this.forward(set.pixels, n * set.size) !== set.labels[n]) wrong++;
    }
    return wrong / Math.max(1, indices.length);
  }
}
