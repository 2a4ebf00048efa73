import type { PowerEstimate, PowerNotEstimated } from './power-estimate.js';
import { fmtJ, fmtM2, fmtW } from './power-format.js';
import { fmtS } from '../profiles/profile.js';

/**
 * The "power and area" block of a text report (`nla compile`, and any report that includes it): one
 * line per component class with its count, static power, energy per event and area, then the totals,
 * the energy per synaptic operation, per inference and per learning update. A circuit without an
 * estimate gets one line with the reason.
 */
export function powerText(e: PowerEstimate | PowerNotEstimated): string[] {
  if (!e.estimated) return [`power and area: not estimated: ${e.reason}`];
  const lines = [`power and area (estimate; supply ${e.supplyV} V, τ = ${fmtS(e.tauS)}; see docs/hardware.md):`];
  for (const k of e.classes) {
    if (k.cells === 0) continue;
    const cells = k.cells !== k.count ? ` (${k.cells} cells)` : '';
    const dyn = k.energyPerEventJ > 0 ? `, ${fmtJ(k.energyPerEventJ)} per event` : '';
    lines.push(`    ${k.class.padEnd(12)} ${String(k.count).padStart(6)}${cells}: static ${fmtW(k.staticPowerW)}${dyn}, area ${fmtM2(k.areaM2)}`);
  }
  lines.push(`    total: static ${fmtW(e.totals.staticPowerW)}, area ${fmtM2(e.totals.areaM2)}`);
  lines.push(`    per synaptic operation (one synapse over τ): ${fmtJ(e.synapticOperation.synapseOnlyJ)} synapse only, ${fmtJ(e.synapticOperation.allInJ)} all in`);
  const inf = e.inference;
  lines.push(`    per inference (${inf.settleTaus} τ = ${fmtS(inf.durationS)}): ${fmtJ(inf.energyJ)} (static ${fmtJ(inf.staticEnergyJ)}, dynamic ${fmtJ(inf.dynamicEnergyJ)})`);
  const l = e.learningUpdate;
  lines.push(l.estimated
    ? `    per learning update (${l.kind}, every ${fmtS(l.intervalS)}, ${l.plasticSynapses} plastic synapses): ${fmtJ(l.energyJ)} (updates ${fmtJ(l.updateEnergyJ)})`
    : `    per learning update: not estimated: ${l.reason}`);
  return lines;
}
