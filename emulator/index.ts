/**
 * `nla-toolkit/emulator`: the `Engine` contract and its engines (the digital reference, the analog
 * emulator, ngspice), what drives them (stimuli, targets, events), what they record (probes, trace
 * tables) and how two runs are compared.
 * @module nla-toolkit/emulator
 */
export type { Engine, EngineFactory, EngineSource, EngineOption, CommonOptions, RunRequest, RunOutcome, EngineFailure, EngineSummary, DigitalReference } from './engine.js';
export { digitalEngine, DigitalEngine } from './digital/engine.js';
export { DigitalSimulator } from './digital/simulator.js';
export { runDigital } from './digital/run.js';
export type { DigitalOptions } from './digital/options.js';
export { analogEngine, AnalogEngine } from './analog/engine.js';
export { spiceEngine } from './spice/engine.js';
export type { Drive, Impulse } from './drive.js';
export { FunctionSignal, ConstantSignal, type Signal } from './stimulus/signal.js';
export { SteppedSignal } from './stimulus/stepped-signal.js';
export { TableSignal, type Interpolation } from './stimulus/table-signal.js';
export { SignalDrive, checkDriveFits } from './stimulus/signal-drive.js';
export { loadSignalCsv, loadEventsCsv } from './stimulus/load.js';
export { sampleFrames } from './stimulus/frames.js';
export { registerStimulusGenerator, stimulusGeneratorNames, stimulusSignal, type StimulusGenerator } from './stimulus/generators.js';
export { parseProbes, columnLabel, type Probe } from './probes/probe.js';
export { TraceTable } from './probes/recorder.js';
export { compareTraces, resample, errorOverTime, settlingTime, weightDistance, type ColumnMetrics } from './compare/metrics.js';
