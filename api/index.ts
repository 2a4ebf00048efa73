/**
 * `nla-toolkit`: the stable library API of the NLA neuromorphic toolkit (docs/library.md). These names
 * follow semantic versioning; each layer's subpath (`nla-toolkit/core`, `/compiler`, `/emulator`,
 * `/hardware-models`, `/host`, `/report`) exports more of that layer.
 *
 * The flow: {@link loadNetwork} a spec → {@link buildGraph} → run it on {@link digitalEngine} (the
 * reference), or {@link compileCircuit} it for a hardware profile ({@link listProfiles}) and run it on
 * {@link analogEngine}, or {@link compileBoardImage} it and {@link streamToBoard}; drive engines with
 * {@link driveFromFiles} or a {@link SignalDrive}, record with {@link parseProbes}, compare runs with
 * {@link compareTraces}.
 * @module nla-toolkit
 */

// errors (CLI exit codes: usage/input/spec 2, numerical 3, board/line 4)
export { SpecError, InputError, NumericalError, UsageError, ResourceError, type SpecIssue } from '../core/index.js';
// spec loading and the graph
export { loadNetwork, loadSpecFile, validateSpec, network, layeredNetwork, NetworkBuilder, buildGraph, planGraph } from '../compiler/index.js';
export type { NetworkSpec, ResolvedSpec, NlaGraph, GraphPlan } from '../compiler/index.js';
// hardware: profiles and circuit compilation
export { listProfiles, loadProfile, BUILTIN_PROFILES, type Profile } from '../hardware-models/index.js';
export { compileCircuit, type CompileOptions, type CircuitIR } from '../compiler/index.js';
// engines
export { digitalEngine, DigitalEngine, analogEngine, AnalogEngine } from '../emulator/index.js';
export type { Engine, EngineFactory, EngineSource, CommonOptions, RunRequest, RunOutcome, EngineFailure, EngineSummary } from '../emulator/index.js';
// stimulus, drive and probes
export { driveFromFiles, channelNames, type DriveFiles } from '../cli/drive-files.js';
export { SignalDrive, TableSignal, FunctionSignal, ConstantSignal, loadSignalCsv, loadEventsCsv, parseProbes, TraceTable } from '../emulator/index.js';
export type { Drive, Signal, Probe } from '../emulator/index.js';
// comparing runs
export { compareTraces, errorOverTime, settlingTime, weightDistance, type ColumnMetrics } from '../emulator/index.js';
// the board: image compile and streaming
export { compileBoardImage, type BoardCompileOptions, type BoardCompileResult } from '../compiler/index.js';
export { encodeImage, decodeImage, ImageError, CapacityError, type BoardImage } from '../hardware-models/index.js';
export { streamToBoard, StreamError, BoardError, VirtualBoard, memoryPair, SerialTransport, type StreamRequest, type StreamResult } from '../host/index.js';
// interchange: NIR graphs (HDF5) and NumPy files
export { exportNir, importNir, importNirFile, readNirFile, writeNirFile, type NirGraph, type NirImport } from '../compiler/index.js';
export { parseNumericCsv, encodeNpyRecords, decodeNpyRecords } from '../core/index.js';
