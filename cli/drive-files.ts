import { UsageError } from '../core/errors.js';
import { neuronLabel, type NlaGraph } from '../compiler/graph/graph.js';
import type { Drive } from '../emulator/drive.js';
import { loadEventsCsv, loadSignalCsv } from '../emulator/stimulus/load.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { SteppedSignal } from '../emulator/stimulus/stepped-signal.js';
import type { Signal } from '../emulator/stimulus/signal.js';
import type { Interpolation } from '../emulator/stimulus/table-signal.js';
import { frameSignal, sampleFrames } from '../emulator/stimulus/frames.js';
import { stimulusSignal } from '../emulator/stimulus/generators.js';

/** Channel names of a graph's stimulus inputs (`in[0]` …) and outputs (`out[0]` …), as CSV headers use them. */
export function channelNames(g: NlaGraph): { inputs: string[]; outputs: string[] } {
  const inputs = g.inputs.filter((p) => p.constantRate === null).flatMap((p) => Array.from({ length: p.size }, (_, i) => `${p.name}[${i}]`));
  return { inputs, outputs: Array.from(g.outputs, (o) => neuronLabel(g, o)) };
}

/** The CSV files (and their interpolation) that `driveFromFiles` turns into a drive: input rates, events and targets. */
export interface DriveFiles {
  /** Hold inputs and targets per frame of this length (ms), sampled at each frame start, as a board sees them. */
  frameMs?: number;
  input?: string;
  /** A registered stimulus generator's name (emulator/stimulus/generators.ts), in place of the `input` CSV. */
  stimulus?: string;
  interp?: string;
  events?: string;
  target?: string;
  targetInterp?: string;
}

function interpolation(v: string | undefined, what: string): Interpolation {
  const x = v ?? 'step';
  if (x !== 'step' && x !== 'linear') throw new UsageError(`${what}: expected 'step' or 'linear', got '${x}'`);
  return x;
}

/** Builds the drive from CSV files (input rates, events, targets), checked against the graph's channels. */
export function driveFromFiles(g: NlaGraph, f: DriveFiles): Drive {
  const names = channelNames(g);
  if (f.input && f.stimulus) throw new UsageError(`give the input rates either as a CSV (--input) or as a stimulus generator ('${f.stimulus}'), not both`);
  if (!f.input && !f.stimulus) throw new UsageError(`--input is required: a CSV with a 't' column (ms) and ${names.inputs.length} input-rate columns (${names.inputs[0]} …)`);
  if (f.stimulus && f.frameMs) throw new UsageError(`stimulus '${f.stimulus}': a generator has no end time to cut into frames; give the input as a CSV`);
  let input: Signal = f.stimulus ? stimulusSignal(f.stimulus, names.inputs.length) : loadSignalCsv(f.input!, interpolation(f.interp, '--interp'), names.inputs);
  let impulses: ReturnType<typeof loadEventsCsv>['impulses'] = [];
  if (f.events) {
    const ev = loadEventsCsv(f.events, names.inputs);
    impulses = ev.impulses;
    if (ev.steps.length) input = new SteppedSignal(input, ev.steps);
  }
  let target: Signal | null = f.target ? loadSignalCsv(f.target, interpolation(f.targetInterp, '--target-interp'), names.outputs, true) : null;
  if (f.frameMs) {
    const held = (sig: Signal & { times?: Float64Array }) => {
      const last = sig.times ? sig.times[sig.times.length - 1]! : 0;
      return frameSignal(sampleFrames(sig, f.frameMs!, Math.floor(last / f.frameMs! + 1e-9) + 1), f.frameMs!);
    };
    input = held(input as Signal & { times?: Float64Array });
    if (target) target = held(target as Signal & { times?: Float64Array });
  }
  return new SignalDrive(input, target, impulses);
}
