/**
 * `nla-toolkit/core`: what every layer shares — the error classes (each maps to a CLI exit code), the
 * seeded random generator, activations, time units and the memory budget.
 * @module nla-toolkit/core
 */
export { SpecError, InputError, NumericalError, UsageError, type SpecIssue } from './errors.js';
export { ResourceError, memoryBudget, requireMemory, formatBytes, parseBytes, type MemoryBudget } from './memory-budget.js';
export { Rng } from './rng.js';
export { activationValue, activationAt, describeActivation, type Activation } from './activation.js';
export { parseTimeMs, formatTimeMs } from './units.js';
export { quantile } from './statistics.js';
export { parseNumericCsv, csvNumber, type NumericTable, type CsvReadOptions } from './csv.js';
export { encodeNpyRecords, decodeNpyRecords, type NamedColumns, type DecodedNpy } from './npy.js';
