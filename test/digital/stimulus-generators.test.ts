import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { driveFromFiles } from '../../cli/drive-files.js';
import { registerStimulusGenerator, stimulusGeneratorNames, stimulusSignal } from '../../emulator/stimulus/generators.js';
import { root } from '../cli/run-nla.js';
import { pluginExports } from '../web/plugin-module.js';

// The stimulus-generator registry (emulator/stimulus/generators.ts) and `driveFromFiles`'s `stimulus`: the
// example plugin (examples/web-plugin/sine-stimulus.js) registered through it drives every input channel
// with 0.3 + 0.2 sin(2π t/40 ms + 2π c/C) and its derivative; events still add to it; a malformed
// generator, a non-finite rate, and a drive given both a CSV and a generator are refused.

const graph = () => buildGraph(loadSpecFile(join(root, 'examples/teacher/network.json')));
const sine = pluginExports('examples/web-plugin/sine-stimulus.js').stimulus;

describe('stimulus generators in place of the input CSV', () => {
  it('drives each channel with the generator: the sine and its slope, hand-computed', () => {
    registerStimulusGenerator(sine, 'sine-stimulus.js');
    expect(stimulusGeneratorNames()).toContain('sine');
    const g = graph();
    const drive = driveFromFiles(g, { stimulus: 'sine' });
    const C = drive.inputChannels;
    expect(C).toBe(6);
    const out = new Float64Array(C);
    for (const t of [0, 7.5, 10, 33.3]) {
      drive.inputs(t, 0, out, 0);
      for (let c = 0; c < C; c++) expect(out[c]).toBeCloseTo(0.3 + 0.2 * Math.sin((2 * Math.PI * t) / 40 + (2 * Math.PI * c) / C), 14);
    }
    // a quarter period in, channel 0 peaks at 0.5
    drive.inputs(10, 0, out, 0);
    expect(out[0]).toBeCloseTo(0.5, 14);
    expect(drive.breakpoints(0, 100)).toEqual([]);
    // the slope the analog look-ahead takes: the sine's derivative per ms, and a central difference of the rates
    const sig = stimulusSignal('sine', C);
    const slope = new Float64Array(C);
    const [lo, hi] = [new Float64Array(C), new Float64Array(C)];
    for (const t of [0, 7.5, 33.3]) {
      sig.slope(t, slope, 0);
      sig.value(t - 1e-4, lo, 0);
      sig.value(t + 1e-4, hi, 0);
      for (let c = 0; c < C; c++) {
        expect(slope[c]).toBeCloseTo(0.2 * ((2 * Math.PI) / 40) * Math.cos((2 * Math.PI * t) / 40 + (2 * Math.PI * c) / C), 14);
        expect(slope[c]).toBeCloseTo((hi[c]! - lo[c]!) / 2e-4, 7);
      }
    }
  });

  it('takes events on top of the generator, as with a CSV', () => {
    registerStimulusGenerator(sine, 'sine-stimulus.js');
    const dir = mkdtempSync(join(tmpdir(), 'nla-stim-'));
    writeFileSync(join(dir, 'events.csv'), 't,channel,kind,value\n20,in[1],step,0.25\n30,2,delta,1.5\n');
    const drive = driveFromFiles(graph(), { stimulus: 'sine', events: join(dir, 'events.csv') });
    const out = new Float64Array(6);
    drive.inputs(25, 0, out, 0);
    expect(out[1]).toBeCloseTo(0.3 + 0.2 * Math.sin((2 * Math.PI * 25) / 40 + (2 * Math.PI) / 6) + 0.25, 14);
    expect(drive.impulses(29, 31, 0)).toEqual([{ tMs: 30, channel: 2, area: 1.5 }]);
  });

  it('refuses a malformed generator, a non-finite rate, and a drive given both inputs', () => {
    expect(() => registerStimulusGenerator({ name: 'x' }, 'bad.js')).toThrow(/bad\.js: 'rate' must be a function/);
    expect(() => registerStimulusGenerator({ rate: () => 0 }, 'bad.js')).toThrow(/bad\.js: 'name' must be/);
    registerStimulusGenerator({ name: 'hole', rate: (t: number) => (t > 5 ? NaN : 0) }, 'hole.js');
    const drive = driveFromFiles(graph(), { stimulus: 'hole' });
    expect(() => drive.inputs(6, 0, new Float64Array(6), 0)).toThrow(/stimulus 'hole': the rate of channel 0 at t = 6 ms is NaN/);
    expect(() => driveFromFiles(graph(), { stimulus: 'nope' })).toThrow(/no generator 'nope' is registered/);
    expect(() => driveFromFiles(graph(), { stimulus: 'sine', input: 'x.csv' })).toThrow(/either as a CSV.*or as a stimulus generator/);
  });
});
