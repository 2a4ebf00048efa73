import { basename, join } from 'node:path';

/** The options whose value is a file or folder the command writes (of simulate, compare, experiment, montecarlo). */
export const OUTPUT_OPTIONS: readonly string[] = ['--out', '--plot', '--save-state', '--weights-out', '--report'];

/** The positions in `args` of the values of output options: paths the command writes, not inputs to hash. */
export function outputValueIndexes(args: readonly string[]): Set<number> {
  const at = new Set<number>();
  args.forEach((a, k) => {
    if (OUTPUT_OPTIONS.includes(a) && k + 1 < args.length) at.add(k + 1);
  });
  return at;
}

/**
 * A job's arguments as it runs, with the files it writes of its own moved into its folder `dir`
 * (`<sweep dir>/jobs/<hash>/` locally, a folder of the worker's temp directory on a queue): every job of a
 * sweep would otherwise write the same `--out traces.csv` or `--report page.html` over the others'.
 * - The value of each output option (`--out`, `--plot`, `--save-state`, `--weights-out`, `--report`) becomes
 *   `dir/<its base name>`.
 * - `nla experiment` writes its JSON and page into `--out` (default out/experiments), and `nla montecarlo --out`
 *   writes montecarlo.json and its page: without `--out` in the arguments, the sweep gives `--out dir`.
 * - A Monte Carlo job runs its chips on one thread unless `--workers` is given: the sweep's pool is the
 *   parallelism (the chips are the same on any number of threads).
 * None of this is part of the job's hash: it changes where files go and how fast, not the result.
 */
export function jobRunArgs(command: string, args: readonly string[], dir: string): string[] {
  const outputs = outputValueIndexes(args);
  const run = args.map((a, k) => (outputs.has(k) ? join(dir, basename(a)) : a));
  if ((command === 'experiment' || command === 'montecarlo') && !args.includes('--out')) run.push('--out', dir);
  if (command === 'montecarlo' && !args.includes('--workers')) run.push('--workers', '1');
  return run;
}

/** The local folder of a job's own files: `<sweep dir>/jobs/<hash>/`. */
export function jobArtifactDir(sweepDir: string, hash: string): string {
  return join(sweepDir, 'jobs', hash);
}
