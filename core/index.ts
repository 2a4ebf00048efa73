/**
 * `nla-toolkit/core`: what every layer shares — the error classes (each maps to a CLI exit code), the
 * seeded random generator, activations, time units, the memory budget and summary statistics.
 * @packageDocumentation
 */
export { SpecError, InputError, NumericalError, UsageError, type SpecIssue } from './errors.js';
export { ResourceError, memoryBudget, requireMemory, formatBytes, parseBytes, type MemoryBudget } from './memory-budget.js';
export { Rng } from './rng.js';
export { ACTIVATION_KINDS, activationValue, activationAt, describeActivation, type Activation, type ActivationKind } from './activation.js';
export { parseTimeMs, formatTimeMs } from './units.js';
export { distribution, quantile, histogram, yieldOf, type Distribution, type Histogram, type Yield } from './statistics.js';
