/**
 * `nla-toolkit/hardware-models`: hardware profiles (built-in and from files), power estimates, and the
 * board's fixed-point side (image format and codec, capacity check, the bit-exact core).
 * @module nla-toolkit/hardware-models
 */
export { listProfiles } from './profiles/list.js';
export { BUILTIN_PROFILES } from './profiles/builtin.js';
export { loadProfile } from './profiles/load.js';
export { validateProfile } from './profiles/validate.js';
export { registerComponentModel, membraneModel, membraneModelNames, BUILTIN_MEMBRANE_MODEL, type ComponentModel, type MembraneModel } from './components/component-models.js';
export { PROFILE_FORMAT, profileSummary, type Profile } from './profiles/profile.js';
export { estimatePower, type PowerEstimate, type PowerNotEstimated, type PowerEstimateOptions } from './power/power-estimate.js';
export { IMAGE_FORMAT, PROBE, frameMs, type BoardImage } from './fixed-point/image.js';
export { encodeImage, decodeImage, imageId, ImageError } from './fixed-point/image-codec.js';
export { CapacityError, checkFits, capacityProblems } from './fixed-point/fit.js';
export type { Capabilities } from './fixed-point/capabilities.js';
export { FixedPointCore } from './fixed-point/core.js';
