import type { NlaGraph } from '../../compiler/graph/graph.js';
import type { ImageSet } from './dataset.js';
import { kernelBackend } from '../../core/kernels/backends.js';
import type { Kernels } from '../../core/kernels/kernels.js';
import { FeedForwardNet } from './ff-net.js';
import { stepsPerPresentation, type PresentationSetting } from './nla-train.js';
import { PresentationDrive } from './presentation-drive.js';

/**
 * The paper's reference at short presentation times, "error back-propagation at each dt" (Fig. 4c1,
 * 'w/o error + backprop'): the purely forward network u₁ = W₁ r̄_in(t) + b₁, u₂ = W₂ ρ(u₁) + b₂, fed the
 * same low-pass filtered input stream r̄_in(t) that the NLA network sees, and trained by one SGD step on
 * ½‖u*(t) − u₂‖² at every time step, with the same filtered targets u*(t).
 *
 * With lookahead the NLA network is instantaneous and its errors equal exactly these back-propagated
 * errors (theory §2), so this control keeps what the input filter costs (T against τ_in) and removes
 * what the network's own dynamics cost. Its step is η·β·dt, what the NLA rule Ẇ = η ē r̄ᵀ with
 * ē_out = β(u* − u) integrates to over one dt; over a presentation of T that sums to λ = η·β·T, the
 * budget of the other methods.
 *
 * The input filter is the engine's: forward Euler r̄ ← r̄ + dt·(r − r̄)/τ_in from r̄ = 0, the SGD step at
 * t using r̄(t), then r̄ moves on; u*(t) comes from the same PresentationDrive as the NLA run's targets.
 * Float64 throughout, with the engine's kernels for W₁.
 */
export class PerStepBackprop {
  /** The trained network (its W₁ lives in the kernel arena below). */
  readonly net: FeedForwardNet;
  readonly stepsPerPresentation: number;
  private readonly kernels: Kernels;
  /** r̄_in(t) and r̄_in(t + dt): the filter's state, double-buffered for the fused update + forward pass. */
  private xbar: Float64Array;
  private xnext: Float64Array;
  /** u₁ = W₁ r̄ (without b₁), and the hidden errors δ = ρ'(u₁) ⊙ W₂ᵀe. */
  private readonly w1x: Float64Array;
  private readonly delta: Float64Array;
  private readonly raw: Float64Array;
  private readonly ustar = new Float64Array(10);
  private readonly slope = new Float64Array(10);
  /** A Float32 copy of r̄ for the feed-forward net's read-out. */
  private readonly x32: Float32Array;

  constructor(
    g: NlaGraph,
    weights: Float64Array[],
    private readonly s: PresentationSetting,
    private readonly tauInMs: number,
  ) {
    const init = FeedForwardNet.fromWeights(g, weights);
    const { D, H } = init;
    // W₁ (the 392,000 weights that cost the time) goes through the engine's kernels: one fused pass per
    // step updates it with δ r̄(t)ᵀ and computes W₁ r̄(t + dt) with the updated weights
    const arena = kernelBackend().createArena([H * D, D, D, H, H, D]);
    const [W1, xbar, xnext, w1x, delta, raw] = arena.arrays as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    W1.set(init.W1);
    this.net = new FeedForwardNet(D, H, init.O, W1, init.b1, init.W2, init.b2);
    this.kernels = arena.kernels;
    this.xbar = xbar;
    this.xnext = xnext;
    this.w1x = w1x;
    this.delta = delta;
    this.raw = raw;
    this.x32 = new Float32Array(D);
    this.stepsPerPresentation = stepsPerPresentation(s);
  }

  /** Trains on `order` (images with their one-hot labels); `checkpoint(k)` before the first presentation (k = 0) and after each count in `at`. */
  train(set: ImageSet, order: Int32Array, etaBetaPerMs: number, at: number[], checkpoint: (k: number) => void, progress: (fraction: number) => void): { stepsPerSecond: number; learningRatePerStep: number } {
    const { dtMs } = this.s;
    const lr = etaBetaPerMs * dtMs;
    const drive = new PresentationDrive(set, order, this.s.presentationMs, true, this.tauInMs);
    const n = this.stepsPerPresentation;
    const marks = new Set(at);
    const { D, H, W1 } = this.net;
    this.xbar.fill(0);
    this.kernels.gemv(W1, H, D, 1, this.xbar, this.w1x);
    checkpoint(0);
    const t0 = performance.now();
    for (let k = 0; k < order.length; k++) {
      for (let j = 0; j < n; j++) {
        const t = (k * n + j) * dtMs;
        drive.targets(t, 0, this.ustar, this.slope, 0);
        drive.inputs(t, 0, this.raw, 0);
        this.backward(lr);
        this.advanceFilter(this.xbar, this.xnext);
        // W₁ += lr·δ r̄(t)ᵀ, then u₁ = W₁ r̄(t + dt)
        this.kernels.fusedUpdateGemv(W1, null, H, D, 1, lr, this.delta, this.xbar, this.xnext, this.w1x, null, null);
        [this.xbar, this.xnext] = [this.xnext, this.xbar];
      }
      if (marks.has(k + 1)) checkpoint(k + 1);
      if ((k & 15) === 15) progress((k + 1) / order.length);
    }
    const wallS = (performance.now() - t0) / 1000;
    return { stepsPerSecond: (order.length * n) / Math.max(wallS, 1e-9), learningRatePerStep: lr };
  }

  /**
   * Test error as the stream experiences it: the test images presented one after another for T through
   * the same input filter (from r̄ = 0), each read out as the argmax of u₂ at the end of its presentation.
   */
  testAsPresented(set: ImageSet, indices: Int32Array): number {
    const n = this.stepsPerPresentation;
    const drive = new PresentationDrive(set, indices, this.s.presentationMs, false, this.tauInMs);
    this.xbar.fill(0);
    let wrong = 0;
    for (let k = 0; k < indices.length; k++) {
      for (let j = 0; j < n; j++) {
        drive.inputs((k * n + j) * this.s.dtMs, 0, this.raw, 0);
        this.advanceFilter(this.xbar, this.xbar);
      }
      this.x32.set(this.xbar);
      if (this.net.forward(this.x32, 0) !== set.labels[indices[k]!]) wrong++;
    }
    return wrong / Math.max(1, indices.length);
  }

  /**
   * From u₁ = W₁ r̄(t) (in w1x): the forward pass, then the net's backward pass (W₂, b₂, b₁ step) and
   * its hidden errors δ copied into the arena for the fused W₁ step.
   */
  private backward(lr: number): void {
    const { H, b1, h, uh } = this.net;
    const w1x = this.w1x;
    for (let i = 0; i < H; i++) {
      const v = w1x[i]! + b1[i]!;
      uh[i] = v;
      h[i] = v <= 0 ? 0 : v >= 1 ? 1 : v;
    }
    this.net.outputForward();
    this.net.backpropagate(this.ustar, lr);
    this.delta.set(this.net.hiddenError);
  }

  /** The engine's forward-Euler input filter: to = from + dt·(raw − from)/τ_in (to may be from). */
  private advanceFilter(from: Float64Array, to: Float64Array): void {
    const a = this.s.dtMs / this.tauInMs;
    const raw = this.raw;
    for (let i = 0; i < from.length; i++) to[i] = from[i]! + a * (raw[i]! - from[i]!);
  }
}
