import type { PageSection } from '../report/html-page.js';

/** Engines an experiment can run on. */
export type ExperimentEngine = 'digital' | 'analog';

/**
 * What `nla experiment` hands an experiment. Everything random is drawn from generators seeded with
 * `seed` (recorded in the result), so the same command gives the same numbers.
 */
export interface ExperimentContext {
  /** Quick mode: small data and short runs, under a minute; used by the test suite. */
  quick: boolean;
  engine: ExperimentEngine;
  /** Analog engine: hardware profile name or profile JSON path (default `ideal`). */
  profile: string;
  seed: number;
  /**
   * Experiment-specific settings from `--param key=value` (repeatable), as strings. An experiment
   * reads the keys it documents in `params` and rejects any other key with a UsageError.
   */
  params: Record<string, string>;
  /**
   * Reports progress: `fraction` in [0, 1] of the whole experiment, and what is running now. Cheap to
   * call often: the CLI throttles what it prints.
   */
  progress(fraction: number, what: string): void;
  /**
   * Only for an experiment whose `resumable(params)` is true: the folder its checkpoints go to (the
   * CLI's --out), whether to continue from them (--resume), and `stop()`, polled by the run, true once
   * the process was asked to stop (SIGINT/SIGTERM): the run then writes a checkpoint and throws.
   */
  checkpoint?: { dir: string; resume: boolean; stop(): boolean };
}

/** A table of results: the first column names the row. */
export interface ResultTable {
  columns: string[];
  rows: Array<Array<string | number>>;
}

/**
 * The outcome of one experiment. `table` is what the CLI prints and docs/results.md shows; `data` holds
 * every measured number (written to the JSON result); `sections` are the HTML page's plots.
 *
 * Contract: `claim` quotes what the paper states; `finding` says in one or two sentences what this run
 * measured against that claim, computed from the numbers (never a fixed text).
 */
export interface ExperimentResult {
  name: string;
  title: string;
  claim: string;
  finding: string;
  /** Settings that determine the numbers (sizes, durations, seeds, engine and profile). */
  settings: Record<string, unknown>;
  table: ResultTable;
  data: Record<string, unknown>;
  sections: PageSection[];
}

/**
 * One of the paper's claims as a runnable experiment (`nla experiment <name>`).
 *
 * Contract: `run` never writes files or prints (the CLI does that from the result); it reports progress
 * through the context; it throws a UsageError for an engine it does not support.
 */
export interface Experiment {
  name: string;
  title: string;
  /** One line for `nla experiment list`. */
  summary: string;
  engines: ExperimentEngine[];
  /** The `--param` keys this experiment understands, with what each means and its default. */
  params?: Record<string, string>;
  run(ctx: ExperimentContext): Promise<ExperimentResult>;
  /** Whether a run with these params writes checkpoints and can continue (--resume); absent: never. */
  resumable?(params: Record<string, string>): boolean;
}
