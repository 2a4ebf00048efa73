import { describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { digitalEngine } from '../../emulator/digital/engine.js';
import { analogEngine } from '../../emulator/analog/engine.js';
import type { EngineFactory } from '../../emulator/engine.js';
import { steps } from './cases.js';

/**
 * RunRequest.progressEveryMs: progress and live rows on a model-time cadence, the same calls on every
 * machine (the page's live view and its test rely on it), for the engines that record as they go.
 */
const engines: [EngineFactory, Record<string, string>][] = [
  [digitalEngine, { dt: '0.1ms' }],
  [analogEngine, { profile: 'ideal' }],
];

async function runWith(factory: EngineFactory, options: Record<string, string>, progressEveryMs: number) {
  const graph = layeredNetwork([3, 5, 2], { name: 'cadence' }).build();
  const engine = await factory.create({ kind: 'network', graph, file: '(cadence)' }, { init: 'rest', learn: false, seed: undefined }, options);
  const drive = new SignalDrive(steps([[0, 0.2, 0.7, 0.4], [20, 0.8, 0.1, 0.5]]));
  const reports: number[] = [];
  const rows: number[] = [];
  const outcome = await engine.run({
    durationMs: 40,
    drive,
    probes: parseProbes('u', engine.graph),
    sampleEveryMs: 0.5,
    weightsEveryMs: undefined,
    progressEveryMs,
    onProgress: (fraction, tMs) => reports.push(tMs, fraction),
    onTraces: (t) => rows.push(t.rows),
  });
  return { reports, rows, outcome };
}

describe.each(engines.map(([f, o]) => [f.name, f, o] as const))('%s engine: progressEveryMs', (_name, factory, options) => {
  it('reports at each interval of model time, each with the rows recorded so far', async () => {
    const { reports, rows, outcome } = await runWith(factory, options, 7.5);
    // 7.5, 15, 22.5, 30, 37.5 ms: five reports in a 40 ms run, whatever the machine's speed
    const times = reports.filter((_, i) => i % 2 === 0);
    expect(times.length).toBe(5);
    times.forEach((t, k) => expect(t).toBeGreaterThanOrEqual(7.5 * (k + 1) - 1e-9));
    times.forEach((t, k) => expect(t).toBeLessThan(7.5 * (k + 2)));
    reports.filter((_, i) => i % 2 === 1).forEach((f, k) => expect(f).toBeCloseTo(times[k]! / 40, 2));
    expect(rows.length).toBe(5);
    for (let k = 1; k < rows.length; k++) expect(rows[k]!).toBeGreaterThan(rows[k - 1]!);
    // a row every 0.5 ms: by 7.5 ms fifteen rows are final
    expect(rows[0]!).toBeGreaterThanOrEqual(15);
    expect(rows[0]!).toBeLessThanOrEqual(17);
    expect(rows.at(-1)!).toBeLessThanOrEqual(outcome.traces.rows);
  });

  it('refuses an interval that is not a positive time', async () => {
    await expect(runWith(factory, options, 0)).rejects.toThrow(/progressEveryMs: expected a positive time in ms, got 0/);
    await expect(runWith(factory, options, -1)).rejects.toThrow(/progressEveryMs/);
  });
});
