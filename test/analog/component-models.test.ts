import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { emitSpice } from '../../compiler/spice/netlist.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { BUILTIN_MEMBRANE_MODEL, membraneModelNames, registerComponentModel } from '../../hardware-models/components/component-models.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { join } from 'node:path';
import { root } from '../cli/run-nla.js';
import { pluginExports } from '../web/plugin-module.js';

// The component-model registry (hardware-models/components/component-models.ts): a profile names the
// membrane's model; the example plugin (examples/web-plugin/leaky-membrane.js: twice the leak conductance)
// registered through it halves every τ_m = C/g_L of the compiled circuit, and nothing else; a malformed
// model, an unknown name, a model the SPICE emitter or a translinear circuit cannot honour are refused.

const graph = () => buildGraph(loadSpecFile(join(root, 'examples/teacher/network.json')));
const leaky = pluginExports('examples/web-plugin/leaky-membrane.js').componentModel;

describe('component models named by a profile', () => {
  it('runs the plugin model: τ = C/(2 g_L) per membrane, the rest as the built-in model', () => {
    registerComponentModel(leaky, 'leaky-membrane.js');
    const profile = (model?: string) => validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'opamp-board', noise: null, ...(model ? { membrane: { model } } : {}) });
    const base = modelFromCircuit(compileCircuit(graph(), profile(), { seed: 3 }));
    const ir = compileCircuit(graph(), profile('leaky-membrane'), { seed: 3 });
    const plugged = modelFromCircuit(ir);
    // the independent truth: τ from the circuit's own C and g_L (mismatched per neuron), in model ms
    const expected = ir.neurons.map((n) => n.membrane.capacitanceF / (2 * n.membrane.leakConductanceS) / ir.timeScale);
    expect(plugged.tauMs.length).toBe(expected.length);
    plugged.tauMs.forEach((t, i) => expect(Math.abs(t - expected[i]!) / expected[i]!).toBeLessThan(1e-14));
    plugged.tauMs.forEach((t, i) => expect(Math.abs(t - base.tauMs[i]! / 2) / t).toBeLessThan(1e-14));
    expect([...plugged.theta]).toEqual([...base.theta]);
    expect([...plugged.railHigh]).toEqual([...base.railHigh]);
  });

  it('refuses an unknown model name, listing the registered ones', () => {
    expect(() => validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'ideal', membrane: { model: 'no-such' } })).toThrow(/membrane\.model.*no-such|no-such.*membrane\.model/s);
    expect(membraneModelNames()[0]).toBe(BUILTIN_MEMBRANE_MODEL);
  });

  it('refuses a malformed model naming its source and what is missing', () => {
    expect(() => registerComponentModel({ component: 'membrane', name: 'x' }, 'bad.js')).toThrow(/bad\.js: 'population' must be a function/);
    expect(() => registerComponentModel({ component: 'synapse', name: 'x', population: () => null }, 'bad.js')).toThrow(/bad\.js: 'component' must be 'membrane'/);
    expect(() => registerComponentModel({ ...(leaky as object), name: BUILTIN_MEMBRANE_MODEL }, 'bad.js')).toThrow(/built-in/);
    registerComponentModel({ component: 'membrane', name: 'short', population: () => ({ tauMs: new Float64Array(1), theta: new Float64Array(1), railLow: new Float64Array(1), railHigh: new Float64Array(1) }) }, 'short.js');
    const ir = compileCircuit(graph(), validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'ideal', membrane: { model: 'short' } }));
    expect(() => modelFromCircuit(ir)).toThrow(/membrane model 'short': 'tauMs' must be a Float64Array of \d+ values/);
  });

  it('is refused where it would be ignored: the SPICE netlist, a translinear circuit', () => {
    registerComponentModel(leaky, 'leaky-membrane.js');
    const ir = compileCircuit(graph(), validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'ideal', membrane: { model: 'leaky-membrane' } }));
    expect(() => emitSpice(ir, {} as never)).toThrow(/only the built-in membrane.*leaky-membrane/);
    const dpi = compileCircuit(graph(), validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'translinear', membrane: { model: 'leaky-membrane' } }), { seed: 1 });
    expect(() => modelFromCircuit(dpi)).toThrow(/translinear.*leaky-membrane/);
  });
});
