import { VCORE_BUILDS, type VcoreBuild } from '../hardware-models/fixed-point/vcore-image.js';
import { UsageError } from '../core/errors.js';

/** `--vcore-build <name>`: the vector-core build it names ('generic' when absent); any other name is a usage error. */
export function vcoreBuildOption(name: string | undefined): VcoreBuild {
  const n = name ?? 'generic';
  if (!(n in VCORE_BUILDS)) throw new UsageError(`--vcore-build: expected ${Object.keys(VCORE_BUILDS).map((k) => `'${k}'`).join(' or ')}, got '${n}'`);
  return VCORE_BUILDS[n as keyof typeof VCORE_BUILDS];
}
