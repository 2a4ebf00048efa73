import { toSeconds } from '../../hardware-models/units.js';
import type { CircuitIR } from '../circuit/ir.js';
import { node } from './nodes.js';
import type { SpiceOptions, SpiceOutput } from './types.js';

/**
 * Options, the initial state and the transient: output step `sampleEveryModelMs`, the maximum step half
 * the fastest lead-stage pole (or the output step). `rest` holds every membrane at erest and every input
 * low-pass at 0 while ngspice solves the operating point (`.ic`, released when the transient starts).
 */
export function analysisLines(ir: CircuitIR, o: SpiceOptions): string[] {
  const tstop = toSeconds(o.durationModelMs, ir.timeScale);
  const tstep = toSeconds(o.sampleEveryModelMs ?? 0.1, ir.timeScale);
  const poles = ir.neurons.flatMap((n) => [n.rateUnit, n.errorUnit]).flatMap((u) => (u.kind === 'lead' ? [u.poleS] : []));
  const tmax = Math.min(tstep, ...poles.map((p) => p / 2));
  const lines = ['* analysis', `.options reltol=${o.reltol ?? 1e-5} abstol=1e-15 vntol=1e-9 method=gear maxord=2`];
  if (o.init === 'rest') {
    lines.push('* initial state: rest (u = 0, input low-passes at 0; lead stages and pools settle at the operating point)');
    const ic = [...ir.neurons.map((_, i) => `v(${node.u(i)})=${ir.profile.membrane.restV}`), ...ir.inputs.map((_, j) => `v(${node.rbi(j)})=0`)];
    for (let k = 0; k < ic.length; k += 8) lines.push(`.ic ${ic.slice(k, k + 8).join(' ')}`);
  } else lines.push('* initial state: equilibrium (the operating point with the inputs at t = 0)');
  lines.push(`.tran ${tstep} ${tstop} 0 ${tmax}`);
  return lines;
}

/**
 * For a netlist that runs by itself (`ngspice -b net.cir`): the saved vectors and a control block that
 * runs the transient and writes them to an ASCII raw file, then quits.
 */
export function standaloneLines(outputs: SpiceOutput[], rawFile: string): string[] {
  const vectors = outputs.map((x) => `v(${x.node})`);
  const lines: string[] = [];
  for (let k = 0; k < vectors.length; k += 10) lines.push(`.save ${vectors.slice(k, k + 10).join(' ')}`);
  lines.push('.control', 'set filetype=ascii', 'run');
  // one write with every vector: one plot, one time axis
  lines.push(`write ${rawFile} ${vectors.join(' ')}`, 'quit', '.endc');
  return lines;
}

/** Header lines: how to run the file and how each saved node maps back to model units. */
export function mappingLines(outputs: SpiceOutput[], rawFile: string | null): string[] {
  const lines = [
    '* units: node voltages in V, time in s; 1 model ms = tscale s.',
    '* a trace x in model units is x = (v(node) - offset) / scale; membranes u are read against erest, every other signal against 0.',
  ];
  if (rawFile) lines.push(`* run: ngspice -b <this file>   (writes ${rawFile} in the working directory: ASCII raw file, time in s)`, '* saved nodes (node: trace = (v - offset)/scale):');
  else lines.push('* nodes read back (node: trace = (v - offset)/scale):');
  for (const x of outputs) lines.push(`*   v(${x.node}): ${x.quantity} = (v - ${x.offsetV})/${x.scaleV}`);
  return lines;
}
