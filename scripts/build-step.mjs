#!/usr/bin/env node
// The build step of `npm start`: says what it is doing ("building (tsc)…"), runs the TypeScript compiler
// (incremental, as `npm run build`), and says how long it took; on a failure it prints the compiler's
// messages and exits with its status, so `npm start` stops before the demo.
// Usage: node scripts/build-step.mjs   (messages on stderr; stdout is left to the command that follows)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Runs tsc on tsconfig.json; resolves to its exit status and everything it printed. */
export function build() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ status: 1, output: `cannot run tsc: ${e.message}\n` }));
    child.on('close', (status, signal) => resolve({ status: status ?? (signal ? 1 : 0), output }));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  process.stderr.write('building (tsc)…');
  const { status, output } = await build();
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (status === 0) process.stderr.write(` done in ${s} s\n`);
  else {
    process.stderr.write(` failed after ${s} s (tsc exit ${status}):\n${output}`);
    process.exitCode = status;
  }
}
