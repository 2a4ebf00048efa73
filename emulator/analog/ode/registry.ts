import { ConstantStep, PIController, type StepSizeController } from './controller.js';
import { Dopri5 } from './dopri5.js';
import { EulerMaruyama } from './euler-maruyama.js';
import type { EventOptions } from './events.js';
import { Integrator } from './integrate.js';
import type { OdeSolver } from './ode.js';
import { Rosenbrock } from './rosenbrock.js';

/** The command-line flag that picks a solver (every hint names it). */
export const ODE_SOLVER_FLAG = '--ode-solver';

export type SolverKind = 'explicit' | 'stiff' | 'stochastic';

/** Everything a solver and its controller may be configured with; each entry reads only what it declares. */
export interface SolverSettings {
  rtol: number;
  atol: number;
  /** Largest step; Infinity for none. */
  hMax: number;
  /** Fixed step. */
  dt: number;
  /** Seed of the Brownian motion. */
  seed: number;
}

export interface SolverEntry {
  readonly kind: SolverKind;
  /** A few words for help texts (`explicit 5(4)`). */
  readonly summary: string;
  /** The method in full, for run summaries and docs. */
  readonly description: string;
  /** Convergence order without noise (measured by test/analog/ode.test.ts at fixed steps). */
  readonly order: number;
  /** Strong and weak order with noise (stochastic solvers). */
  readonly strongOrder?: number;
  readonly weakOrder?: number;
  /** `adaptive`: steps from rtol/atol (and hMax); `fixed`: steps of dt. */
  readonly stepControl: 'adaptive' | 'fixed';
  /** The settings it reads; any other one given explicitly is refused. */
  readonly settings: readonly (keyof SolverSettings)[];
  /** The stateless solver (its tableau) and the controller it runs with by default. */
  solver(s: Partial<SolverSettings>): OdeSolver;
  controller(s: Partial<SolverSettings>): StepSizeController;
}

const adaptive = (s: Partial<SolverSettings>) => ({ rtol: s.rtol ?? 1e-6, atol: s.atol ?? 1e-9, hMax: s.hMax ?? Infinity });

/** The registered solvers, by the name the CLI, the summary and every hint use. */
export const SOLVERS = {
  dopri5: {
    kind: 'explicit',
    summary: 'explicit 5(4)',
    description: 'Dormand–Prince 5(4), first-same-as-last, 4th-order dense output, I step control',
    order: 5,
    stepControl: 'adaptive',
    settings: ['rtol', 'atol', 'hMax'],
    solver: (): OdeSolver => new Dopri5(),
    controller: (s): StepSizeController => new PIController(adaptive(s)),
  },
  rosenbrock: {
    kind: 'stiff',
    summary: 'stiff, linearly implicit ROS3',
    description: 'Rosenbrock ROS3 (order 3, embedded 2, L-stable), finite-difference Jacobian with ∂f/∂t, Hermite dense output',
    order: 3,
    stepControl: 'adaptive',
    settings: ['rtol', 'atol', 'hMax'],
    solver: (s): OdeSolver => {
      const { rtol, atol } = adaptive(s);
      return new Rosenbrock({ perturbationFloor: atol / Math.max(rtol, 1e-12) + 1e-12, tooLargeHint: `use ${ODE_SOLVER_FLAG} ${solverOfKind('explicit')} for large circuits` });
    },
    controller: (s): StepSizeController => new PIController({ ...adaptive(s), facMax: 4, holdAfterReject: false, firstStepFraction: 1e-3 }),
  },
  'euler-maruyama': {
    kind: 'stochastic',
    summary: 'noise, fixed step --sde-step',
    description: 'Euler–Maruyama at fixed steps (strong order ½, weak order 1), seeded Brownian increments, linear interpolation',
    order: 1,
    strongOrder: 0.5,
    weakOrder: 1,
    stepControl: 'fixed',
    settings: ['dt', 'seed'],
    solver: (s): OdeSolver => {
      if (s.seed === undefined) throw new RangeError('euler-maruyama needs the seed of its noise');
      return new EulerMaruyama(s.seed);
    },
    controller: (s): StepSizeController => {
      if (s.dt === undefined) throw new RangeError('euler-maruyama needs a fixed step dt');
      return new ConstantStep(s.dt);
    },
  },
} as const satisfies Record<string, SolverEntry>;

export type SolverName = keyof typeof SOLVERS;
export const SOLVER_NAMES = Object.keys(SOLVERS) as SolverName[];
/** What `--ode-solver` accepts: `auto` and every registered name. */
export const SOLVER_CHOICES: readonly (SolverName | 'auto')[] = ['auto', ...SOLVER_NAMES];

export function solverEntry(name: SolverName): SolverEntry {
  return SOLVERS[name];
}

/** The first registered solver of a kind. */
export function solverOfKind(kind: SolverKind): SolverName {
  const name = SOLVER_NAMES.find((n) => SOLVERS[n].kind === kind);
  if (!name) throw new Error(`no ${kind} solver is registered`);
  return name;
}

/** A registered solver with its controller (and the chattering guard of its event location), ready to integrate (settings it does not read are ignored here; AnalogSimulator refuses them). */
export function createIntegrator(name: SolverName, settings: Partial<SolverSettings> = {}, events?: EventOptions): Integrator {
  const e = solverEntry(name);
  return new Integrator(e.solver(settings), e.controller(settings), events);
}

/** The help text of `--ode-solver`. */
export function solverHelp(): string {
  const names = SOLVER_NAMES.map((n) => `${n} (${SOLVERS[n].summary})`);
  const auto = `auto (${solverOfKind('stochastic')} with noise, else ${solverOfKind('stiff')} or ${solverOfKind('explicit')}, whichever is cheaper)`;
  return `${[auto, ...names.slice(0, -1)].join(', ')} or ${names[names.length - 1]}`;
}

/** What to try after an integration failure of solver `name`. */
export function failureHint(name: SolverName): string {
  const e = SOLVERS[name];
  if (e.stepControl === 'fixed') return `reduce --sde-step, or check the circuit`;
  const stiff = e.kind === 'stiff' ? '' : `, use ${ODE_SOLVER_FLAG} ${solverOfKind('stiff')} for stiff circuits`;
  return `tighten --rtol/--atol${stiff}, or check the circuit`;
}
