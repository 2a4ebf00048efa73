import { loadSpecFile } from './load.js';

/**
 * Loads a network spec file (`nla-network/1` JSON, with the side files it names) and validates it: the
 * stable library name of {@link loadSpecFile}, the same function. Throws a `SpecError` listing every
 * problem with its JSON path, or an `InputError` for a file that cannot be read.
 */
export const loadNetwork: typeof loadSpecFile = loadSpecFile;
