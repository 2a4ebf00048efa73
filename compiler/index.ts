/**
 * `nla-toolkit/compiler`: network specs (loading, validation, the TypeScript builder), the NLA graph
 * built from them, the circuit compiler (graph + hardware profile → circuit IR), the SPICE netlist
 * emitter and the board-image compiler.
 * @module nla-toolkit/compiler
 */
export { loadNetwork } from './spec/load-network.js';
export { loadSpecFile, readMatrixFile } from './spec/load.js';
export { validateSpec } from './spec/validate.js';
export { NetworkBuilder, network, layeredNetwork } from './spec/builder.js';
export { SPEC_FORMAT, type NetworkSpec, type ResolvedSpec } from './spec/format.js';
export { buildGraph } from './graph/build.js';
export { planGraph, type GraphPlan, type GraphFootprint } from './graph/plan.js';
export { GRAPH_FORMAT, neuronLabel, type NlaGraph } from './graph/graph.js';
export { compileCircuit, circuitPasses, type CompileOptions } from './circuit/compile.js';
export { CIRCUIT_FORMAT, type CircuitIR } from './circuit/ir.js';
export { validateCircuit } from './circuit/validate.js';
export { emitSpice } from './spice/netlist.js';
export { compileBoardImage, type BoardCompileOptions, type BoardCompileResult } from './board/compile-image.js';
export { compileVcoreImage } from './board/compile-vcore-image.js';
export { exportNir, type SpecExtras } from './nir/export.js';
export { importNir, importNirFile, type NirImport } from './nir/import.js';
export { readNirFile, writeNirFile } from './nir/nir-file.js';
export type { NirGraph } from './nir/nir-graph.js';
