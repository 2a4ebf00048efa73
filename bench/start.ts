/**
 * Benchmark of the CLI's start-up (`npm run bench:start`): the wall and CPU time of `nla --version` (the
 * cost every command and every sweep job pays before it does anything: loading dist/cli/nla.js and all
 * that it imports) and of `nla simulate` of the bundled example for 1 ms on the digital engine. With
 * `--baseline DIR` (the dist/ folder of another build, placed inside this repository so that it finds
 * node_modules, e.g. `cp -r dist base-dist` before a change), both builds run alternately in the same
 * run; medians of REPS processes and the ratio. Writes out/benchmarks-start.{md,json}.
 *
 *   npm run bench:start [-- --baseline base-dist --reps 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const REPS = Number(arg('reps', '15'));
const baseline = arg('baseline', '');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ex = (f: string) => join(root, 'examples/teacher', f);

const COMMANDS: Record<string, string[]> = {
  'nla --version': ['--version'],
  'nla simulate (digital, 1 ms)': ['simulate', ex('network.json'), '--duration', '1ms', '--input', ex('input.csv'), '--quiet', '--out', '/dev/null'],
};

/** One process running `main(argv)` of the CLI in `dist`: wall ms (spawn to exit) and CPU ms (user + system). */
function once(dist: string, args: string[]): { wallMs: number; cpuMs: number } {
  const entry = join(dist, 'cli/nla.js');
  const code = `const m = await import(${JSON.stringify(entry)}); process.exitCode = await m.main(['node', 'nla', ...${JSON.stringify(args)}]); process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('CPU ' + (u.user + u.system) / 1000 + '\\n'); });`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${dist}: nla ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`);
  const cpu = /CPU ([\d.]+)/.exec(r.stderr);
  if (!cpu) throw new Error(`${dist}: no CPU time reported`);
  return { wallMs, cpuMs: Number(cpu[1]) };
}

function main(): void {
  const builds = [{ label: 'this build', dist: join(root, 'dist') }];
  if (baseline) builds.push({ label: `baseline (${baseline})`, dist: isAbsolute(baseline) ? baseline : join(root, baseline) });
  const rows: { command: string; build: string; wallMs: number; cpuMs: number }[] = [];
  for (const [name, args] of Object.entries(COMMANDS)) {
    const runs = builds.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    for (let k = 0; k < REPS; k++) {
      builds.forEach((b, i) => {
        const r = once(b.dist, args);
        runs[i]!.wall.push(r.wallMs);
        runs[i]!.cpu.push(r.cpuMs);
      });
      process.stderr.write(`\r${name}: ${k + 1}/${REPS}`);
    }
    process.stderr.write('\n');
    builds.forEach((b, i) => rows.push({ command: name, build: b.label, wallMs: median(runs[i]!.wall), cpuMs: median(runs[i]!.cpu) }));
  }
  const md = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}; medians of ${REPS} processes${baseline ? ', the builds alternating' : ''}.`,
    '',
    '| command | build | wall ms | CPU ms | wall vs baseline |',
    '|---|---|---|---|---|',
    ...rows.map((r) => {
      const base = rows.find((b) => b.command === r.command && b.build !== 'this build');
      const ratio = base && r.build === 'this build' ? `${(r.wallMs / base.wallMs).toFixed(2)}×` : '';
      return `| ${r.command} | ${r.build} | ${r.wallMs.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${ratio} |`;
    }),
  ].join('\n');
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(join(root, 'out/benchmarks-start.md'), md + '\n');
  writeFileSync(join(root, 'out/benchmarks-start.json'), JSON.stringify({ reps: REPS, rows }, null, 2));
  console.log(md);
}

main();
