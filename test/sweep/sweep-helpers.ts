import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTimingField } from '../../sweep/results.js';
import { root } from '../cli/run-nla.js';

/** The bundled example's fixed arguments (paths relative to the repository root, where the CLI runs). */
export const FIXED = ['examples/teacher/network.json', '--engine', 'analog', '--duration', '20ms', '--input', 'examples/teacher/input.csv'];

/** Writes a sweep file into a fresh temp dir; returns its path and an output dir beside it. */
export function sweepFile(body: object): { file: string; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nla-sweep-'));
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify(body));
  return { file, out: join(dir, 'out'), dir };
}

/** A row without the fields that measure the machine (wall time, rates) or the attempt count. */
export function modelFields(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !isTimingField(k) && k !== 'attempts'));
}

/**
 * The bundled example's network with its input → hidden weights in a side file (`"weights": { "file": "w.csv" }`,
 * 24 rows of 6), written into `dir/net/`; `scale` sets the weights (w[i][j] = scale·sin(1 + 6i + j)).
 * Returns the spec's path and a sweep over two --dt values of the digital engine on it.
 */
export function sideFileSpec(dir: string, scale: number): { spec: string; weights: string; sweep: object } {
  const net = join(dir, 'net');
  mkdirSync(net, { recursive: true });
  const spec = JSON.parse(readFileSync(join(root, 'examples/teacher/network.json'), 'utf8'));
  spec.projections[0].weights = { file: 'w.csv' };
  const weights = join(net, 'w.csv');
  writeFileSync(weights, Array.from({ length: 24 }, (_, i) => Array.from({ length: 6 }, (_, j) => (scale * Math.sin(1 + 6 * i + j)).toFixed(6)).join(',')).join('\n') + '\n');
  writeFileSync(join(net, 'network.json'), JSON.stringify(spec));
  const args = [join(net, 'network.json'), '--engine', 'digital', '--duration', '10ms', '--input', join(root, 'examples/teacher/input.csv'), '--no-learn'];
  return { spec: join(net, 'network.json'), weights, sweep: { command: 'simulate', args, grid: { '--dt': ['0.1ms', '0.05ms'] } } };
}
