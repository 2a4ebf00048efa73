import { chipRunner, type ChipResult, type ChipTask, type MonteCarloSetup } from './chip.js';

/** The Monte Carlo worker module (core/worker-pool.ts): one chip runner per worker thread. */
export function createHandler(setup: MonteCarloSetup): (task: ChipTask) => Promise<ChipResult> {
  return chipRunner(setup);
}
