import type { Activation } from '../../core/activation.js';
import { num } from './params.js';

/**
 * The neuron's transfer function ρ as a subcircuit per activation kind, `rho_<kind>`, ports `u` (the
 * membrane, absolute), `rho` (vunit·gain·ρ(x), volts) and `drho` (gain·ρ'(x), dimensionless as volts),
 * with x = (v(u) − erest)/vunit − th; parameters `gain` and `th` (the transfer's gain and threshold
 * offset in units) and the activation's own (`amax` of clipped-relu, `da`, `dd` of depression-matched).
 *
 * ρ' is the exact derivative, also where it jumps (hard sigmoid, clipped ReLU: ngspice's unit step
 * u()): the netlist computes what the emulator computes. ngspice may fail to step across such a jump when
 * the error path differentiates it; the run then ends in an error naming the drho node, never in a
 * smoothed answer.
 */
export function transferSubcktName(a: Activation): string {
  return `rho_${a.kind.replace(/-/g, '_')}`;
}

/** The subcircuit's definition for activation kind `a.kind` (its parameters' defaults from `a`). */
export function transferSubckt(a: Activation): string[] {
  const x = '((v(u)-({erest}))/({vunit})-({th}))';
  const extra = a.kind === 'clipped-relu' ? ` amax=${num(a.max)}` : a.kind === 'depression-matched' ? ` da=${num(a.a)} dd=${num(a.d)}` : '';
  return [
    `.subckt ${transferSubcktName(a)} u rho drho params: gain=1 th=0${extra}`,
    `B1 rho 0 V=({vunit*gain})*(${rhoExpr(a, x)})`,
    `B2 drho 0 V=({gain})*(${drhoExpr(a, x)})`,
    `.ends ${transferSubcktName(a)}`,
  ];
}

/** The instance parameters of activation `a` beyond gain and threshold. */
export function transferParams(a: Activation): string {
  return a.kind === 'clipped-relu' ? ` amax=${num(a.max)}` : a.kind === 'depression-matched' ? ` da=${num(a.a)} dd=${num(a.d)}` : '';
}

function rhoExpr(a: Activation, x: string): string {
  switch (a.kind) {
    case 'logistic':
      return `1/(1+exp(-${x}))`;
    case 'tanh':
      return `tanh(${x})`;
    case 'hard-sigmoid':
      return `min(max(${x},0),1)`;
    case 'clipped-relu':
      return `min(max(${x},0),({amax}))`;
    case 'linear':
      return x;
    case 'depression-matched': {
      const th = '({(1+da)/dd})';
      return `(${x}>0 ? 0.5*(${x}-${th}+sqrt((${x}-${th})*(${x}-${th})+4*${x}/({dd}))) : 0)`;
    }
  }
}

function drhoExpr(a: Activation, x: string): string {
  switch (a.kind) {
    case 'logistic':
      return `(1/(1+exp(-${x})))*(1-1/(1+exp(-${x})))`;
    case 'tanh':
      return `(1-tanh(${x})*tanh(${x}))`;
    case 'hard-sigmoid':
      return `u(${x})*u(1-${x})`;
    case 'clipped-relu':
      return `u(${x})*u(({amax})-${x})`;
    case 'linear':
      return '1';
    case 'depression-matched': {
      const th = '({(1+da)/dd})';
      const q = `((${x}-${th})*(${x}-${th})+4*${x}/({dd}))`;
      return `(${x}>0 ? 0.5*(1+(2*(${x}-${th})+({4/dd}))/(2*sqrt(${q}))) : 0)`;
    }
  }
}
