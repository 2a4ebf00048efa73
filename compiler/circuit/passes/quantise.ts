import { maxAbsOfRows } from '../../../core/vector.js';
import { quantiseWeight, synapseConductance, synapseWeight, type SynapseRealisation } from '../../../hardware-models/components/synapse-array.js';
import type { CircuitIR, PassReport } from '../ir.js';
import { rowConductance } from '../target.js';
import type { Pass } from './pass.js';

/**
 * Pass 2, quantise: every array takes the profile's synapse realisation. DAC arrays get signed codes
 * (|code| ≤ 2^bits − 1, lsb = full scale / (2^bits − 1), full scale `auto` = the array's largest |w|);
 * conductance arrays snap to a resistor series. The report counts clipped weights and nonzero weights
 * that became 0, and names neurons whose every forward input became 0 (quantisation silenced them).
 */
export const quantisePass: Pass = {
  name: 'quantise',
  run: (ir, ctx) => quantise(ir, ctx.profile.synapses.realisation),
};

function quantise(ir: CircuitIR, realisation: SynapseRealisation): CircuitIR {
  const out: CircuitIR = structuredClone(ir);
  const perArray: Array<{ array: string; lsbWeight: number; clipped: number; zeroed: number; synapses: number }> = [];
  const warnings: string[] = [];
  const liveBefore = new Map<string, boolean>();
  const liveAfter = new Map<string, boolean>();
  for (const a of out.arrays) {
    a.realisation = realisation;
    // each row's reference conductance once (a lookup among the neurons), not once per synapse
    const rowG = a.conductanceS.map((_, r) => rowConductance(out, a, r));
    const w = a.conductanceS.map((row, r) => row.map((G) => synapseWeight(G, rowG[r]!)));
    let fullScale = 0;
    if (realisation.kind === 'dac') {
      fullScale = realisation.fullScale === 'auto' ? maxAbsOfRows(w) : realisation.fullScale;
      a.lsbWeight = fullScale / (2 ** realisation.bits - 1);
      a.codes = w.map((row) => row.map(() => 0));
    }
    let clipped = 0;
    let zeroed = 0;
    let synapses = 0;
    w.forEach((row, r) => {
      const g = rowG[r]!;
      row.forEach((x, c) => {
        if (a.mask && !a.mask[r]![c]) return;
        synapses++;
        const q = quantiseWeight(realisation, x, fullScale);
        if (q.clipped) clipped++;
        if (q.zeroed) zeroed++;
        a.conductanceS[r]![c] = synapseConductance(q.value, g);
        if (a.codes) a.codes[r]![c] = q.code;
        if (a.role === 'forward' && a.post.type === 'neuron') {
          const key = `${a.post.population}[${r}]`;
          liveBefore.set(key, (liveBefore.get(key) ?? false) || x !== 0);
          liveAfter.set(key, (liveAfter.get(key) ?? false) || q.value !== 0);
        }
      });
    });
    perArray.push({ array: a.realises, lsbWeight: a.lsbWeight, clipped, zeroed, synapses });
    if (zeroed > 0.5 * synapses && synapses > 0) warnings.push(`${a.realises}: ${zeroed} of ${synapses} weights quantise to 0 (lsb ${a.lsbWeight.toPrecision(3)}); consider a smaller full scale or more bits`);
    if (clipped) warnings.push(`${a.realises}: ${clipped} weights clipped at the full scale ${fullScale}`);
  }
  const silenced = [...liveBefore].filter(([k, v]) => v && !liveAfter.get(k)).map(([k]) => k);
  if (silenced.length) warnings.push(`quantisation silences ${silenced.length} neuron(s): every forward input of ${silenced.slice(0, 10).join(', ')}${silenced.length > 10 ? ', …' : ''} is 0`);
  const report: PassReport = {
    pass: 'quantise',
    summary:
      realisation.kind === 'ideal'
        ? 'ideal synapses: no quantisation'
        : `${realisation.kind === 'dac' ? `${realisation.bits}-bit + sign DAC codes` : `${realisation.series} resistors`}: ${perArray.reduce((s, a) => s + a.zeroed, 0)} weights zeroed, ${perArray.reduce((s, a) => s + a.clipped, 0)} clipped, ${silenced.length} neurons silenced`,
    details: { arrays: perArray, silenced },
    warnings,
  };
  out.reports.push(report);
  return out;
}
