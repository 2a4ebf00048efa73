/** The solvers' coefficients, as data (the solvers in dopri5.ts and rosenbrock.ts read nothing else). */

/**
 * An explicit Runge–Kutta pair with first-same-as-last: the last stage is evaluated at the solution, so
 * `a`'s last row holds the solution weights. err = h Σ e_j k_j; dense output by Hairer's contd5 with `d`.
 */
export interface ButcherTableau {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number;
  readonly c: readonly number[];
  readonly a: readonly (readonly number[])[];
  readonly e: readonly number[];
  readonly d: readonly number[];
}

/** Dormand–Prince 5(4) (Hairer, Nørsett & Wanner, Solving ODE I, Table 5.2) and its 4th-order dense output. */
export const DOPRI5: ButcherTableau = {
  name: 'dopri5',
  order: 5,
  errorOrder: 4,
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ],
  e: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
  d: [-12715105075 / 11282082432, 0, 87487479700 / 32700410799, -10690763975 / 1880347072, 701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423],
};

/**
 * A Rosenbrock tableau in the transformed form used by KPP (Sandu et al. 1997):
 *   (1/(γh) I − J) K_s = f(y + Σ_j A_sj K_j) + Σ_j (C_sj / h) K_j,   y⁺ = y + Σ M_s K_s,   err = Σ E_s K_s.
 */
export interface RosenbrockTableau {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number;
  readonly gamma: number;
  readonly A: readonly (readonly number[])[];
  readonly C: readonly (readonly number[])[];
  readonly M: readonly number[];
  readonly E: readonly number[];
}

/** ROS3: 3 stages, order 3 with an embedded order-2 estimate, L-stable (Sandu et al. 1997, as in KPP). */
export const ROS3: RosenbrockTableau = {
  name: 'ros3',
  order: 3,
  errorOrder: 2,
  gamma: 0.43586652150845899941601945119356,
  A: [[], [1], [1, 0]],
  C: [[], [-1.0156171083877702091975600115545], [4.0759956452537699824805835358067, 9.2076794298330791242156818474003]],
  M: [1, 6.169794704382824559255361568973, -0.4277225654321857332623837380651],
  E: [0.5, -2.9079558716805469821718236208017, 0.2235406989781156962736090927619],
};
