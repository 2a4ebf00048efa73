import type { Command } from 'commander';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { ExperimentEngine, ExperimentResult } from '../../experiments/experiment.js';
import { RunInterrupted } from '../../experiments/run-interrupted.js';
import { EXPERIMENTS, findExperiment } from '../../experiments/registry.js';
import { markdownTable, resultPage, textTable, wallTime } from '../../experiments/report.js';
import { oneOf } from '../../core/option-values.js';
import { commandLine } from '../../report/command-line.js';
import { writeOutput } from '../files.js';

interface ExperimentOpts {
  quick?: boolean;
  engine?: string;
  profile: string;
  seed: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
  param: string[];
  resume?: boolean;
}

/** The machine, as results quote it. */
export function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}

/**
 * While a resumable run is going: SIGINT and SIGTERM ask it to stop (it writes a checkpoint at the end of
 * the presentation and throws RunInterrupted) instead of killing the process; `release` restores the defaults.
 */
function stopOnSignals(quiet: boolean): { signal: NodeJS.Signals | null; release(): void } {
  const state = {
    signal: null as NodeJS.Signals | null,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  function onSignal(sig: NodeJS.Signals): void {
    if (state.signal !== null) {
      // a second signal: stop now, without waiting for the checkpoint (the last one written stands)
      state.release();
      process.kill(process.pid, sig);
      return;
    }
    if (!quiet) process.stderr.write(`\nnla: ${sig}: writing a checkpoint at the end of this presentation, then stopping (send it again to stop at once)\n`);
    state.signal = sig;
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}

export function registerExperiment(program: Command): void {
  program
    .command('experiment')
    .description("reproduce one of the paper's results: prints a table, writes <out>/<name>.json and .html (nla experiment list)")
    .argument('<name>', "experiment name, or 'list'")
    .option('--quick', 'quick mode: small data, under a minute (what the tests run)')
    .option('--engine <e>', 'digital (the paper\'s algorithm) or analog (the circuit emulator, where the experiment supports it); default: digital, or the experiment\'s only engine')
    .option('--profile <p>', 'analog: hardware profile (nla profiles) or profile JSON', 'ideal')
    .option('--seed <n>', 'seed of every random draw (recorded in the result)', '1')
    .option('--out <dir>', 'folder for the JSON result and the HTML page', 'out/experiments')
    .option('--param <key=value>', 'an experiment-specific setting (repeatable; nla experiment list shows them)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print the result as JSON instead of the table')
    .option('--quiet', 'no progress on stderr')
    .option('--resume', 'continue from the checkpoints in --out (experiments that write them: mnist --param protocol=paper)')
    .action(async (name: string, o: ExperimentOpts) => {
      if (name === 'list') {
        for (const e of EXPERIMENTS) {
          process.stdout.write(`${e.name.padEnd(20)} ${e.summary} [${e.engines.join(', ')}]\n`);
          for (const [k, v] of Object.entries(e.params ?? {})) process.stdout.write(`${''.padEnd(22)}--param ${k}=…  ${v}\n`);
        }
        return;
      }
      const exp = findExperiment(name);
      const engine = (o.engine === undefined ? exp.engines[0]! : oneOf(o.engine, ['digital', 'analog'] as const, '--engine')) as ExperimentEngine;
      if (!exp.engines.includes(engine)) throw new UsageError(`--engine: experiment '${exp.name}' runs on ${exp.engines.join(' or ')}, not ${engine}`);
      const seed = Number(o.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected a non-negative integer, got '${o.seed}'`);
      const params: Record<string, string> = {};
      for (const kv of o.param) {
        const i = kv.indexOf('=');
        if (i < 1) throw new UsageError(`--param: expected key=value, got '${kv}'`);
        const key = kv.slice(0, i);
        if (!(key in (exp.params ?? {}))) throw new UsageError(`--param ${key}: experiment '${exp.name}' has ${Object.keys(exp.params ?? {}).length ? `the parameters ${Object.keys(exp.params ?? {}).join(', ')}` : 'no parameters'}`);
        params[key] = kv.slice(i + 1);
      }
      const command = `nla experiment ${exp.name}${o.quick ? ' --quick' : ''}${engine !== 'digital' ? ` --engine ${engine} --profile ${o.profile}` : ''}${seed !== 1 ? ` --seed ${seed}` : ''}${o.param.map((p) => ` --param ${p}`).join('')}`;
      const resumable = exp.resumable?.(params) === true;
      if (o.resume && !resumable) throw new UsageError(`--resume: experiment '${exp.name}' with these parameters writes no checkpoints (mnist --param protocol=paper does)`);
      const tty = process.stderr.isTTY === true;
      const t0 = performance.now();
      let lastPrint = 0;
      let lastWhat = '';
      let f0: number | null = null; // the fraction a resumed run starts from (its first report past reading the data)
      let tf0 = t0;
      const progress = (fraction: number, what: string) => {
        if (o.quiet) return;
        const now = performance.now();
        if (what === lastWhat && now - lastPrint < (tty ? 200 : 5000)) return;
        lastPrint = now;
        lastWhat = what;
        if (f0 === null && fraction > 0) [f0, tf0] = [fraction, now];
        const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
        const eta = f0 !== null && fraction - f0 > 0.02 ? ` ~${Math.round(((now - tf0) / 1000 / (fraction - f0)) * (1 - fraction))} s left` : '';
        const msg = `${exp.name} ${String(pct).padStart(3)}%  ${what}  ${((now - t0) / 1000).toFixed(0)} s${eta}`;
        process.stderr.write(tty ? `\r${msg}\x1b[K` : `${msg}\n`);
      };
      const stop = resumable ? stopOnSignals(o.quiet === true) : null;
      let r: ExperimentResult;
      try {
        r = await exp.run({ quick: o.quick === true, engine, profile: o.profile, seed, params, progress, ...(stop ? { checkpoint: { dir: o.out, resume: o.resume === true, stop: () => stop.signal !== null } } : {}) });
      } catch (e) {
        if (!(e instanceof RunInterrupted)) throw e;
        if (!o.quiet && tty) process.stderr.write('\r\x1b[K');
        process.stderr.write(`nla: ${exp.name}: ${e.message}\n`);
        process.exitCode = 128 + (stop?.signal === 'SIGINT' ? 2 : 15);
        return;
      } finally {
        stop?.release();
      }
      if (!o.quiet && tty) process.stderr.write('\r\x1b[K');
      const wallS = (performance.now() - t0) / 1000;
      const machine = machineDescription();
      const run = { command, wallS, machine, date: new Date().toISOString() };
      const suffix = Object.entries(params).map(([k, v]) => `-${k}-${v.replace(/[^A-Za-z0-9.]+/g, '_')}`).join('');
      const base = join(o.out, `${exp.name}${o.quick ? '-quick' : ''}${engine === 'analog' ? `-analog-${o.profile}` : ''}${suffix}`);
      const json = { format: 'nla-experiment/1', ...run, seed, engine, ...(engine === 'analog' ? { profile: o.profile } : {}), params, quick: o.quick === true, ...r, sections: undefined };
      writeOutput(`${base}.json`, JSON.stringify(json, null, 1) + '\n');
      writeOutput(`${base}.html`, resultPage(r, { ...run, commandLine: commandLine(), quick: o.quick === true }));
      writeOutput(`${base}.md`, `${markdownTable(r.table)}\n\n${r.finding}\n\nCommand: \`${command}\`; wall time ${wallTime(wallS)} on ${machine}.\n`);
      if (o.json) process.stdout.write(JSON.stringify(json) + '\n');
      else {
        process.stdout.write(`${r.title}\n\n${textTable(r.table)}\n\n${r.finding}\n\n`);
        process.stdout.write(`wall ${wallS.toFixed(1)} s; wrote ${base}.json, ${base}.html, ${base}.md\n`);
      }
    });
}
