import type { Kernels, KernelBackend } from '../../core/kernels/kernels.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import type { Layout } from './layout.js';
import { requireMemory } from '../../core/memory-budget.js';
import { STACK_CHUNK } from './solvers/stacked.js';
import { UPDATE_QUEUE, type CarriedBuffers } from './input-products.js';
import type { InputProductSource } from './input-product-source.js';

/** Per-projection buffers: gathered presynaptic vectors, products and the pending weight update. */
export interface ProjBuffers {
  /** Weights (rows×cols), the engine's own copy. */
  W: Float64Array;
  /** Presynaptic vector per sample (B×cols): r̄ for forward projections. */
  pre: Float64Array;
  /** dr̄_in/dt per sample (B×cols), for projections from inputs; empty otherwise. */
  preDot: Float64Array;
  /** Products W·pre (B×rows), and W·preDot. */
  out: Float64Array;
  out2: Float64Array;
  /** Gathered postsynaptic vector (B×rows) and a presynaptic-sized result (B×cols) for transposed products. */
  postBuf: Float64Array;
  colBuf: Float64Array;
  /** Pending update W += pendCoef · Σ_b pendPost_b pendPre_bᵀ, applied in the next pass over W. */
  pendPost: Float64Array;
  pendPre: Float64Array;
  pendCoef: number;
  /** Materialised Ẇ for masked plastic projections (rows×cols); empty otherwise. */
  wdot: Float64Array;
}

/**
 * All arrays of one simulation, allocated together in one kernel arena: the state vectors (u, u̇, r̄_in,
 * weights) and the scratch the engine reuses every step. Vectors over neurons are B×N, sample-major.
 */
export class Workspace {
  readonly kernels: Kernels;
  // state
  readonly u: Float64Array;
  readonly udot: Float64Array;
  readonly rbarIn: Float64Array;
  // drive
  readonly rIn: Float64Array;
  readonly rdotIn: Float64Array;
  readonly ustar: Float64Array;
  readonly ustarDot: Float64Array;
  readonly nudge: Float64Array;
  // evaluation
  /** u − offset, for per-neuron transfer offsets (graph.neuronParams). */
  readonly ushift: Float64Array;
  readonly rho: Float64Array;
  readonly drho: Float64Array;
  readonly ddrho: Float64Array;
  /**
   * Optional: rewrites ρ, ρ', ρ'' right after their evaluation on the (shifted) voltages v, before the
   * per-neuron gain. The analog emulator's mode locking at kinks sets it (emulator/analog/mode-lock.ts);
   * the digital engine never does, so its arithmetic is unchanged.
   */
  transferOverride: ((v: Float64Array, rho: Float64Array, drho: Float64Array, ddrho: Float64Array) => void) | null = null;
  readonly eraw: Float64Array;
  /** Back-projected raw error F·ē_raw (transpose/random) or apical voltage v (microcircuit). */
  readonly fb: Float64Array;
  readonly f: Float64Array;
  readonly dfdt: Float64Array;
  /** ∂(W r̄)/∂t at fixed u: W_in dr̄_in/dt + Ẇ r̄. */
  readonly sDrive: Float64Array;
  readonly rhs: Float64Array;
  /**
   * Scratch vectors (B×N). Owners, so that callers never clobber each other: 0 evaluation, 1–3 the
   * Jacobian product, 4–9 linear solvers, 10–12 the step (events, probes).
   */
  readonly tmp: Float64Array[];
  /** Columns Y = (I − D F)⁻¹E of the layered solver's Woodbury correction (per sample b, per output k: [b·|O| + k]·N). */
  readonly zcols: Float64Array;
  /** Columns V = (I − W_net D)⁻ᵀE (laid out as zcols) when F ≠ W_netᵀ; empty otherwise (V = Y). */
  readonly vcols: Float64Array;
  /** Scratch for the layered solver's stacked substitution (solvers/stacked.ts): min(|outputs|·B, STACK_CHUNK) vectors of N, and gathered pre/post blocks. */
  readonly stackT: Float64Array;
  readonly stackPre: Float64Array;
  readonly stackPost: Float64Array;
  /** The layered solver's two |O|-vectors (a row of VᵀY, then Vᵀy): kernel operands. */
  readonly woodburySmall: Float64Array;
  // interneurons (microcircuit)
  readonly uI: Float64Array;
  readonly ip: Float64Array;
  readonly uIdot: Float64Array;
  readonly gram: Float64Array;
  readonly proj: ProjBuffers[];
  /** Arrays of the carried input products, per projection (null: not carried, or the option is off). */
  readonly carriedBuffers: Array<CarriedBuffers | null>;
  /** Where forward-pass.ts gets carried input products: set by the digital simulator ('incremental', 'lowrank') and the analog emulator. */
  inputProducts: InputProductSource | null = null;
  /** The step being evaluated (the simulator's step count); the carried products need consecutive steps. */
  stepIndex = 0;
  /** Incremented by every evaluation; solvers cache factorisations per epoch. */
  epoch = 0;

  constructor(L: Layout, backend: KernelBackend, carryInputs = false) {
    const g = L.graph;
    const { lengths, ids, projIds } = workspaceLayout(shapeOfGraph(g), L.B, L.layeredSolve, carryInputs);
    requireMemory(8 * lengths.reduce((s, n) => s + n, 0), `the digital engine's arrays (a copy of the weights, ${L.B}×${L.N} vectors per step)`);
    const arena = backend.createArena(lengths);
    const a = arena.arrays;
    this.kernels = arena.kernels;
    this.u = a[ids.u]!; this.udot = a[ids.udot]!; this.rbarIn = a[ids.rbarIn]!; this.rIn = a[ids.rIn]!;
    this.rdotIn = a[ids.rdotIn]!; this.ustar = a[ids.ustar]!; this.ustarDot = a[ids.ustarDot]!; this.nudge = a[ids.nudge]!;
    this.ushift = a[ids.ushift]!;
    this.rho = a[ids.rho]!; this.drho = a[ids.drho]!; this.ddrho = a[ids.ddrho]!; this.eraw = a[ids.eraw]!;
    this.fb = a[ids.fb]!; this.f = a[ids.f]!; this.dfdt = a[ids.dfdt]!; this.sDrive = a[ids.sDrive]!; this.rhs = a[ids.rhs]!;
    this.tmp = ids.tmp.map((i) => a[i]!);
    this.zcols = a[ids.zcols]!;
    this.vcols = a[ids.vcols]!;
    this.woodburySmall = a[ids.woodburySmall]!;
    this.stackT = a[ids.stackT]!; this.stackPre = a[ids.stackPre]!; this.stackPost = a[ids.stackPost]!;
    this.uI = a[ids.uI]!; this.ip = a[ids.ip]!; this.uIdot = a[ids.uIdot]!; this.gram = a[ids.gram]!;
    this.proj = projIds.map((p, k) => {
      const bufs: ProjBuffers = {
        W: a[p.W]!, pre: a[p.pre]!, preDot: a[p.preDot]!, out: a[p.out]!, out2: a[p.out2]!, postBuf: a[p.postBuf]!,
        colBuf: a[p.colBuf]!, pendPost: a[p.pendPost]!, pendPre: a[p.pendPre]!, pendCoef: 0, wdot: a[p.wdot]!,
      };
      bufs.W.set(g.projections[k]!.weights);
      return bufs;
    });
    this.carriedBuffers = projIds.map((p) =>
      p.carried
        ? { queuePost: a[p.carried.queuePost]!, queuePre: a[p.carried.queuePre]!, y: a[p.carried.y]!, z: a[p.carried.z]!, lastPre: a[p.carried.lastPre]!, lastDot: a[p.carried.lastDot]!, lastRaw: a[p.carried.lastRaw]!, sumPost: a[p.carried.sumPost]!, sumPre: a[p.carried.sumPre]! }
        : null,
    );
  }
}

/** What the workspace's size depends on: the graph's shape (a built graph, or a plan before its weights exist). */
export interface WorkspaceShape {
  nNeurons: number;
  nInputs: number;
  nInterneurons: number;
  nOutputs: number;
  perNeuronParams: boolean;
  /** Whether the feedback is not Wᵀ (random or microcircuit): the layered solver then keeps a second set of columns. */
  asymmetricFeedback: boolean;
  projections: Array<{ rows: number; cols: number; plastic: boolean; fromInput: boolean; masked: boolean }>;
}

export function shapeOfGraph(g: NlaGraph): WorkspaceShape {
  return {
    nNeurons: g.nNeurons,
    nInputs: g.nInputs,
    nInterneurons: g.nInterneurons,
    nOutputs: g.outputs.length,
    perNeuronParams: g.neuronParams !== undefined,
    asymmetricFeedback: g.feedback !== 'transpose',
    projections: g.projections.map((p) => ({ rows: p.rows, cols: p.cols, plastic: p.plastic, fromInput: p.pre.type === 'input', masked: p.mask !== null })),
  };
}

/**
 * The length of every array of one simulation's workspace, and where each lives in the list: the one
 * place that sizes the workspace, used to allocate it and to estimate a run's memory before the graph is built.
 */
export function workspaceLayout(g: WorkspaceShape, B: number, layeredSolve: boolean, carryInputs = false) {
  const N = g.nNeurons;
  const nIn = g.nInputs;
  const nI = g.nInterneurons;
  // widest neuron-to-neuron (or feedback) projection side: bounds the gathered blocks of the stacked substitutions
  const netWidth = Math.max(0, ...g.projections.filter((p) => !p.fromInput).map((p) => Math.max(p.rows, p.cols)));
  // vectors per call of the stacked substitution (solvers/stacked.ts)
  const stack = Math.min(B * g.nOutputs, STACK_CHUNK);
  const lengths: number[] = [];
  const vec = (n: number) => lengths.push(n) - 1;
  const ids = {
    u: vec(B * N), udot: vec(B * N), rbarIn: vec(B * nIn), rIn: vec(B * nIn), rdotIn: vec(B * nIn),
    ustar: vec(B * N), ustarDot: vec(B * N), nudge: vec(B * N), ushift: vec(g.perNeuronParams ? B * N : 0), rho: vec(B * N), drho: vec(B * N), ddrho: vec(B * N),
    eraw: vec(B * N), fb: vec(B * N), f: vec(B * N), dfdt: vec(B * N), sDrive: vec(B * N), rhs: vec(B * N),
    tmp: Array.from({ length: 13 }, () => vec(B * N)),
    zcols: vec(layeredSolve ? B * N * g.nOutputs : 0),
    vcols: vec(layeredSolve && g.asymmetricFeedback ? B * N * g.nOutputs : 0),
    stackT: vec(layeredSolve ? stack * N : 0),
    woodburySmall: vec(layeredSolve ? 2 * g.nOutputs : 0),
    stackPre: vec(layeredSolve ? stack * netWidth : 0),
    stackPost: vec(layeredSolve ? stack * netWidth : 0),
    uI: vec(B * nI), ip: vec(B * nI), uIdot: vec(B * nI), gram: vec(B * B),
  };
  const projIds = g.projections.map((p) => ({
    W: vec(p.rows * p.cols), pre: vec(B * p.cols), preDot: vec(p.fromInput ? B * p.cols : 0),
    out: vec(B * p.rows), out2: vec(B * p.rows), postBuf: vec(B * p.rows), colBuf: vec(B * p.cols),
    pendPost: vec(p.plastic ? B * p.rows : 0), pendPre: vec(p.plastic ? B * p.cols : 0),
    wdot: vec(p.masked && p.plastic ? p.rows * p.cols : 0),
    // incremental input products (input-products.ts): unmasked input projections at batch 1
    carried:
      carryInputs && B === 1 && p.fromInput && !p.masked
        ? { queuePost: vec(UPDATE_QUEUE * p.rows), queuePre: vec(UPDATE_QUEUE * p.cols), y: vec(p.rows), z: vec(p.rows), lastPre: vec(p.cols), lastDot: vec(p.cols), lastRaw: vec(p.cols), sumPost: vec(2 * p.rows), sumPre: vec(2 * p.cols) }
        : null,
  }));
  return { lengths, ids, projIds };
}
