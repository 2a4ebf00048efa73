import { UsageError } from '../../core/errors.js';
import type { Drive, Impulse } from '../drive.js';
import type { Signal } from './signal.js';

/**
 * A Drive from signals shared by every batch sample: input rates, optional targets, optional impulses
 * (delta events on input channels).
 */
export class SignalDrive implements Drive {
  readonly inputChannels: number;
  readonly targetChannels: number;

  constructor(
    private readonly input: Signal,
    private readonly target: Signal | null = null,
    private readonly impulseList: Impulse[] = [],
  ) {
    this.inputChannels = input.channels;
    this.targetChannels = target?.channels ?? 0;
    this.impulseList = [...impulseList].sort((a, b) => a.tMs - b.tMs);
  }

  inputs(tMs: number, _sample: number, out: Float64Array, offset: number): void {
    this.input.value(tMs, out, offset);
  }

  targets(tMs: number, _sample: number, value: Float64Array, slope: Float64Array, offset: number): void {
    if (!this.target) return;
    this.target.value(tMs, value, offset);
    this.target.slope(tMs, slope, offset);
  }

  impulses(t0: number, t1: number): Impulse[] {
    return this.impulseList.filter((e) => e.tMs > t0 && e.tMs <= t1);
  }

  breakpoints(t0: number, t1: number): number[] {
    const all = [...this.input.breakpoints(t0, t1), ...(this.target?.breakpoints(t0, t1) ?? []), ...this.impulses(t0, t1).map((e) => e.tMs)];
    return [...new Set(all)].sort((a, b) => a - b);
  }

  targetJumps(t0: number, t1: number): boolean {
    return this.target ? this.target.jumps(t0, t1) : false;
  }
}

/** Checks that a drive fits a graph: channel counts must match exactly (nothing silently dropped). */
export function checkDriveFits(drive: Drive, inputs: number, outputs: number, names = { input: 'input', target: 'target' }): void {
  if (drive.inputChannels !== inputs) {
    throw new UsageError(`${names.input}: expected ${inputs} input channels (one per input neuron), got ${drive.inputChannels}`);
  }
  if (drive.targetChannels !== 0 && drive.targetChannels !== outputs) {
    throw new UsageError(`${names.target}: expected ${outputs} target channels (one per output neuron), got ${drive.targetChannels}`);
  }
}
