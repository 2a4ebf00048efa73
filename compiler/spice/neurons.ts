import { UsageError } from '../../core/errors.js';
import { membraneTauS } from '../../hardware-models/components/membrane.js';
import type { CircuitIR, NeuronCircuit, UnitCircuit } from '../circuit/ir.js';
import { node } from './nodes.js';
import { num, plus, seconds, times } from './params.js';
import { transferParams, transferSubcktName } from './transfer.js';

/** What the neuron instances need beyond the circuit: whether a mismatch node m is read, and the targets. */
export interface NeuronContext {
  ir: CircuitIR;
  /** Some array reads the mismatch m = u − W r̄ (transpose or random feedback). */
  needsMismatch: boolean;
  /** Whether target sources `ust<i>` exist (the run has targets). */
  hasTargets: boolean;
}

/**
 * Neuron i as instances, each with a comment naming what it realises: the membrane (RC compartment with
 * the basal summing node), the transfer ρ, the rate unit, the mismatch m = u − W r̄ (only where an array
 * reads it) and the error unit (ē = ρ'·v(ap) + β_i(u* − u) and its look-ahead).
 */
export function neuronLines(c: NeuronContext, n: NeuronCircuit, i: number): string[] {
  const { ir } = c;
  const pop = ir.structure.populations.find((p) => p.name === n.population);
  if (!pop?.activation) throw new UsageError(`SPICE: neuron ${n.realises} has no activation in the circuit's structure`);
  const m = n.membrane;
  const vr = plus('erest', m.restV - ir.profile.membrane.restV);
  const lines = [
    `* ${n.realises}: membrane (C = ${num(m.capacitanceF)} F, τ_m = ${num(membraneTauS(m))} s, rest ${num(m.restV)} V)`,
    `Xm_${i} ${node.u(i)} ${node.sb(i)} ${node.e(i)} membrane c=${times('cm', m.capacitanceF / ir.profile.membrane.capacitanceF)} tau=${seconds(ir, membraneTauS(m))} vr=${vr}`,
    `* ${n.realises}: transfer ρ (${pop.activation.kind}, gain ${num(n.transfer.gain)}, offset ${num(n.transfer.offsetV)} V)`,
    `Xt_${i} ${node.u(i)} ${node.rho(i)} ${node.drho(i)} ${transferSubcktName(pop.activation)} gain=${num(n.transfer.gain)} th=${num(n.transfer.offsetV / ir.voltsPerUnit)}${transferParams(pop.activation)}`,
    `* ${n.realises}: rate unit (${n.rateUnit.kind})`,
    rateUnitLine(c, n, i, vr),
  ];
  if (c.needsMismatch) lines.push(`* ${n.realises}: mismatch m = u − W r̄`, `Bm_${i} ${node.m(i)} 0 V=v(${node.u(i)})-v(${node.ref})-v(${node.pd(i)})`, `Rpd_${i} ${node.pd(i)} 0 ${num(1 / m.leakConductanceS)}`);
  return [...lines, ...errorLines(c, n, i)];
}

function rateUnitLine(c: NeuronContext, n: NeuronCircuit, i: number, vr: string): string {
  const ru = n.rateUnit;
  if (ru.kind === 'lead') return `Xr_${i} ${node.rho(i)} ${node.r(i)} lead ${leadParams(c.ir, n, ru, 'pole_rate', '{rmax*vunit}')}`;
  const k = ru.kind === 'current-sensing' ? ru.lookaheadS / membraneTauS(n.membrane) : 1;
  return `Xr_${i} ${node.rho(i)} ${node.drho(i)} ${node.sb(i)} ${node.e(i)} ${node.u(i)} ${node.r(i)} rate_sense k=${num(k)} vr=${vr}`;
}

/** A lead stage's parameters: τ_L (realised), τ_p = pole ratio × nominal τ, the stage capacitor, the swing. */
function leadParams(ir: CircuitIR, n: NeuronCircuit, u: Extract<UnitCircuit, { kind: 'lead' }>, ratio: 'pole_rate' | 'pole_err', vmax: string): string {
  const p = ratio === 'pole_rate' ? ir.profile.rateUnit : ir.profile.errorUnit;
  const poleRatio = p.kind === 'lead' ? p.poleRatio : u.poleS / membraneTauS(n.membrane);
  const nominalMs = u.poleS / poleRatio / ir.timeScale;
  return `tl=${seconds(ir, u.leadS)} tp={${ratio}*${num(nominalMs)}*tscale} cs={cstage} vmax=${vmax}`;
}

/** The apical error ē (node eb) and the error unit (node e), with the target source if the neuron has one. */
function errorLines(c: NeuronContext, n: NeuronCircuit, i: number): string[] {
  const { ir } = c;
  const g = n.membrane.leakConductanceS;
  const nudged = n.nudgeConductanceS > 0 && c.hasTargets;
  const beta = ir.structure.beta;
  const bn = nudged ? (beta > 0 ? times('beta', n.nudgeConductanceS / g / beta) : num(n.nudgeConductanceS / g)) : '0';
  const lines = [
    `* ${n.realises}: apical compartment (the feedback arrays' currents as I/g_L) and error ē = ρ'·v(ap)${nudged ? ' + β(u* − u)' : ''}`,
    `Rap_${i} ${node.ap(i)} 0 ${num(1 / g)}`,
    `Beb_${i} ${node.eb(i)} 0 V=v(${node.drho(i)})*v(${node.ap(i)})${nudged ? `+(${bn})*(v(${node.ust(i)})-v(${node.u(i)}))` : ''}`,
    `* ${n.realises}: error unit (${n.errorUnit.kind})`,
  ];
  const eu = n.errorUnit;
  if (eu.kind === 'lead') lines.push(`Xe_${i} ${node.eb(i)} ${node.e(i)} lead ${leadParams(ir, n, eu, 'pole_err', `{${num(eu.maxOut)}*vunit}`)}`);
  else lines.push(`Xe_${i} ${node.eb(i)} ${node.e(i)} lookahead te=${seconds(ir, eu.kind === 'current-sensing' ? eu.lookaheadS : membraneTauS(n.membrane))} cd={cstage}`);
  return lines;
}
