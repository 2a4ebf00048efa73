import { join } from 'node:path';

/**
 * Where a job's own files go. `nla experiment` writes its JSON and page into `--out` (default
 * out/experiments) and `nla montecarlo --out` writes montecarlo.json and its page: two jobs of one sweep
 * would write over each other's files there. When the sweep's arguments do not name `--out`, each job gets
 * a folder of its own (`<sweep dir>/jobs/<hash>/` locally, a folder of the worker's temp directory on a
 * queue). A Monte Carlo job also runs its chips on one thread unless `--workers` is given: the sweep's pool
 * is the parallelism (its chips are the same on any number of threads). Neither is part of the job's hash:
 * they change where files go and how fast, not the result.
 */
export function artifactArgs(command: string, args: readonly string[], dir: string): string[] {
  const extra: string[] = [];
  if ((command === 'experiment' || command === 'montecarlo') && !args.includes('--out')) extra.push('--out', dir);
  if (command === 'montecarlo' && !args.includes('--workers')) extra.push('--workers', '1');
  return extra;
}

/** The local folder of a job's own files: `<sweep dir>/jobs/<hash>/`. */
export function jobArtifactDir(sweepDir: string, hash: string): string {
  return join(sweepDir, 'jobs', hash);
}
