import { PtyPair } from '../host/board/pty-pair.js';

/**
 * Whether socat is installed (the real-pty tests need it; .ci/run installs it). Without it those tests
 * are skipped with a notice on stderr, so that a machine without socat still runs everything else.
 */
export const hasSocat = PtyPair.available();
if (!hasSocat) process.stderr.write('NOTE: socat is not installed: the tests over real pseudo-terminals are skipped (apt-get install socat)\n');
