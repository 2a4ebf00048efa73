import type { Distribution } from '../../core/statistics.js';
import type { MonteCarloResult } from './run.js';

/** What every Monte Carlo output states about its run. */
export interface MonteCarloMeta {
  command: string;
  network: string;
  profile: string;
  seed: number;
  runs: number;
  workers: number;
  calibrate: 'none' | 'neurons' | 'synapses';
  mode: string;
  wallS: number;
  chipsRun: number;
  chipsPerMinute: number;
  /** The nominal chip's power, energy and area estimate, as `nla compile` prints it. */
  power: string[];
}

const f = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toPrecision(d)).toString() : '–');
export const fmtDist = (d: Distribution, pct = false) => (d.n === 0 ? 'no chips' : pct ? `${f(100 * d.mean, 3)} ± ${f(100 * d.sd, 2)} % (median ${f(100 * d.median, 3)} %, 5–95 % ${f(100 * d.p05, 3)}–${f(100 * d.p95, 3)} %)` : `${f(d.mean)} ± ${f(d.sd, 2)} (median ${f(d.median)}, 5–95 % ${f(d.p05)}–${f(d.p95)})`);

/** The verdict first (yield or spread per corner), then the ranking, then what was run. */
export function montecarloText(meta: MonteCarloMeta, r: MonteCarloResult, files: string[]): string[] {
  const classifier = Number.isFinite(r.referenceTaskError);
  const lines: string[] = [];
  for (const c of r.corners) {
    const y = c.yield;
    const head = y ? `yield ${f(100 * y.fraction, 3)} % (${y.passed}/${y.n} chips; 95 % interval ${f(100 * y.low95, 3)}–${f(100 * y.high95, 3)} %)` : `${c.chips.length} chips`;
    lines.push(`${c.corner}: ${head}${c.failed ? `, ${c.failed} failed` : ''}`);
    lines.push(`  trace error (RMS vs the ${classifier ? 'ideal network, over test images' : 'digital engine'}, units): ${fmtDist(c.traceError)}; nominal chip ${f(c.nominal.traceError)}`);
    if (c.taskError.n) lines.push(`  task error (${classifier ? 'test error rate' : 'RMS of u − u* over the last quarter'}): ${fmtDist(c.taskError, classifier)}; nominal chip ${classifier ? `${f(100 * c.nominal.taskError, 3)} %` : f(c.nominal.taskError)}${classifier ? `; ideal network ${f(100 * r.referenceTaskError, 3)} %` : ''}`);
    const rails = c.chips.reduce((s, x) => s + x.railImages, 0);
    if (rails) lines.push(`  note: ${rails} chip-images settled with a node at a rail (the DC operating point clamps it; docs/hardware.md)`);
  }
  if (r.sensitivity) {
    const s = r.sensitivity;
    lines.push(`sensitivity (${s.runs} chips per class alone, mean-square trace error above the nominal chip; all classes together ${f(s.allKnobsExcessMs, 3)}, sum of classes ${f(s.sumOfKnobsExcessMs, 3)}):`);
    for (const e of s.entries) lines.push(`  ${f(100 * e.share, 3).padStart(5)} %  ${e.knob} (σ ${f(e.sigma, 3)}: ${e.classes.join(', ')})  RMS ${f(e.traceErrorRms)}`);
  }
  lines.push(`${meta.network} on profile ${meta.profile}${meta.calibrate !== 'none' ? `, calibrated (${meta.calibrate})` : ''}: ${meta.mode}; seed ${meta.seed}, ${meta.runs} chips per corner, ${meta.chipsRun} chips in ${f(meta.wallS, 3)} s on ${meta.workers} worker${meta.workers > 1 ? 's' : ''} (${f(meta.chipsPerMinute, 3)} chips/min)`);
  lines.push(...meta.power);
  for (const file of files) lines.push(`wrote ${file}`);
  return lines;
}
