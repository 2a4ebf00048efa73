import { NumericalError } from '../../core/errors.js';
import { maxAbs } from '../../core/vector.js';
import { neuronLabel } from '../../compiler/graph/graph.js';
import type { Dynamics } from './dynamics.js';
import type { Layout } from './layout.js';
import type { LinearSolver, SolveFailure } from './solvers/linear-solver.js';
import type { Workspace } from './workspace.js';

/**
 * Keeping the network on its moving equilibrium across discontinuities of the drive, shared by the
 * digital engine and the analog emulator: the initial equilibrium, and jumps of r̄_in (input impulses)
 * or u* (target steps), across which f keeps its value as in continuous time (theory §2, Appendix).
 */
export interface EquilibriumContext {
  L: Layout;
  w: Workspace;
  dyn: Dynamics;
  /** A direct solver for J = ∂f/∂u. */
  direct: LinearSolver;
  /** Whether some activation has a kink (f may jump there; Newton then keeps its best point). */
  kinks: boolean;
  /** Called with a solver failure and the time of the event being handled; must throw. */
  fail: (f: SolveFailure, tMs: number) => never;
}

export interface DriveSnapshot {
  rbarIn: Float64Array;
  ustar: Float64Array;
  nudge: Float64Array;
}

export function snapshotDrive(w: Workspace): DriveSnapshot {
  return { rbarIn: Float64Array.from(w.rbarIn), ustar: Float64Array.from(w.ustar), nudge: Float64Array.from(w.nudge) };
}

/** With kinks: Newton stops after this many iterations without a new smallest residual (it cycles across a kink). */
const STALL_ITERATIONS = 4;

/** Stages of the continuation that carries the voltages across a jump of the drive. */
const EVENT_SUBSTEPS = 8;

/**
 * u ← W r̄(u), repeated: in a layered net, depth + 1 sweeps give the feed-forward solution exactly, a
 * good start for Newton (from u = 0 the energy can be non-convex). Recurrent nets sweep while it helps.
 */
export function forwardSweeps(c: EquilibriumContext): void {
  const { w, dyn, L } = c;
  const layered = L.graph.layered;
  const sweeps = layered ? L.graph.neurons.length + 1 : 100;
  let prev = Infinity;
  for (let k = 0; k < sweeps; k++) {
    dyn.evaluate(false);
    const r = maxAbs(w.eraw);
    if (!layered && !(r < prev)) break;
    prev = r;
    for (let i = 0; i < w.u.length; i++) w.u[i] = w.u[i]! - w.eraw[i]!;
  }
}

/**
 * A jump of r̄_in or u* between `before` and the workspace's current drive: the drive is moved from the
 * old to the new value in stages, each followed by a Newton step back to f = fTarget, then Newton
 * converges at the new drive. Switching a target on or off ramps its nudging weight the same way.
 */
export function jumpContinuation(c: EquilibriumContext, fTarget: Float64Array, before: DriveSnapshot, tMs: number): void {
  const { w, dyn, direct } = c;
  const after = snapshotDrive(w);
  const [d, delta] = [w.tmp[11]!, w.tmp[12]!];
  for (let k = 1; k <= EVENT_SUBSTEPS; k++) {
    const s = k / EVENT_SUBSTEPS;
    for (let i = 0; i < w.rbarIn.length; i++) w.rbarIn[i] = before.rbarIn[i]! + s * (after.rbarIn[i]! - before.rbarIn[i]!);
    for (let i = 0; i < w.nudge.length; i++) {
      w.nudge[i] = before.nudge[i]! + s * (after.nudge[i]! - before.nudge[i]!);
      const a = before.nudge[i] ? before.ustar[i]! : after.ustar[i]!;
      const b = after.nudge[i] ? after.ustar[i]! : before.ustar[i]!;
      w.ustar[i] = a + s * (b - a);
    }
    dyn.evaluate(false);
    for (let i = 0; i < d.length; i++) d[i] = w.f[i]! - fTarget[i]!;
    delta.fill(0);
    const fail = direct.solve(d, delta);
    if (fail) c.fail(fail, tMs);
    for (let i = 0; i < delta.length; i++) w.u[i] = w.u[i]! - delta[i]!;
  }
  w.ustar.set(after.ustar);
  w.nudge.set(after.nudge);
  restoreEquilibrium(c, fTarget, 'equilibrium after a target step or input impulse', tMs);
}

/**
 * Newton iteration to f(u) = fTarget at the current drive. Where an activation has a kink, a residual
 * that stops shrinking is accepted: the point with the smallest residual is kept and the rest relaxes
 * with τ (f is discontinuous there, as in continuous time).
 */
export function restoreEquilibrium(c: EquilibriumContext, fTarget: Float64Array, what: string, tMs: number): void {
  const { w, dyn, direct, L } = c;
  const [d, delta] = [w.tmp[11]!, w.tmp[12]!];
  const best = new Float64Array(w.u.length);
  let bestR = Infinity;
  let bestIt = 0;
  for (let it = 0; it < 40; it++) {
    dyn.evaluate(false);
    for (let i = 0; i < d.length; i++) d[i] = w.f[i]! - fTarget[i]!;
    const r = maxAbs(d);
    if (r <= 1e-13 * Math.max(1, maxAbs(w.u))) return;
    if (r < bestR) {
      bestR = r;
      best.set(w.u);
      bestIt = it;
    } else if (c.kinks && it - bestIt >= STALL_ITERATIONS) break;
    delta.fill(0);
    const fail = direct.solve(d, delta);
    if (fail) c.fail(fail, tMs);
    for (let i = 0; i < delta.length; i++) w.u[i] = w.u[i]! - delta[i]!;
  }
  if (c.kinks && Number.isFinite(bestR)) {
    w.u.set(best);
    return;
  }
  let worst = 0;
  for (let i = 0; i < d.length; i++) if (!(Math.abs(d[i]!) <= Math.abs(d[worst]!))) worst = i;
  const label = neuronLabel(L.graph, worst % L.N) + (L.B > 1 ? ` (sample ${Math.floor(worst / L.N)})` : '');
  throw new NumericalError(`${what}: Newton iteration did not converge (largest residual of f)`, tMs, label, 'the jump is too large for the network to follow; smooth the input or target');
}
