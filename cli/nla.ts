import { Command, CommanderError } from 'commander';
import { InputError, NumericalError, SpecError, UsageError } from '../core/errors.js';
import { registerCompare } from './commands/compare.js';
import { registerCompile } from './commands/compile.js';
import { registerDemo } from './commands/demo.js';
import { registerProfiles } from './commands/profiles.js';
import { registerSpice } from './commands/spice.js';
import { registerSimulate } from './commands/simulate.js';
import { registerValidate } from './commands/validate.js';
import { registerImage } from './commands/image.js';
import { registerBoard } from './commands/board.js';
import { registerPorts } from './commands/ports.js';
import { registerStream } from './commands/stream.js';
import { registerReplay } from './commands/replay.js';
import { registerExperiment } from './commands/experiment.js';
import { registerFpga } from './commands/fpga.js';
import { registerMontecarlo } from './commands/montecarlo.js';
import { registerTrain } from './commands/train.js';
import { registerNir } from './commands/nir.js';
import { registerSweep } from './commands/sweep.js';
import { registerBuildWeb } from './commands/build-web.js';
import { registerServe } from './commands/serve.js';
import { applyExamples } from './help-examples.js';
import { FlashError } from '../host/fpga/flash.js';
import { CapacityError } from '../hardware-models/fixed-point/fit.js';
import { BoardError, ProtocolVersionError } from '../host/session.js';
import { StreamError } from '../host/stream.js';
import { NoSuchPortError } from '../host/transport/port-exists.js';

/**
 * The `nla` command. The one place that wires files, engines and reports together; each command lives in
 * cli/commands/. Known errors print one clear message and exit with a code (2 usage or input, 3 numerical, 4 board or line);
 * anything else is a bug and prints its stack.
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nla')
    .description('Neuronal least-action (NLA) networks: specs, the digital reference engine, and hardware emulation')
    .version('0.1.0')
    .showHelpAfterError("(add --help for the command's options and examples)")
    .showSuggestionAfterError(true)
    .exitOverride();
  registerValidate(program);
  registerSimulate(program);
  registerProfiles(program);
  registerCompile(program);
  registerSpice(program);
  registerCompare(program);
  registerMontecarlo(program);
  registerTrain(program);
  registerImage(program);
  registerBoard(program);
  registerPorts(program);
  registerStream(program);
  registerReplay(program);
  registerExperiment(program);
  registerFpga(program);
  registerDemo(program);
  registerNir(program);
  registerSweep(program);
  registerBuildWeb(program);
  registerServe(program);
  applyExamples(program, (path) => path === 'fpga build' || path === 'fpga flash');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // commander has printed its message; --help and --version end with 0, every usage error with 2
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof SpecError || e instanceof InputError || e instanceof UsageError) {
      process.stderr.write(`nla: ${e.message}\n`);
      return 2;
    }
    if (e instanceof StreamError || e instanceof ProtocolVersionError || e instanceof CapacityError || e instanceof BoardError || e instanceof FlashError || e instanceof NoSuchPortError) {
      process.stderr.write(`nla: ${e.message}\n`);
      return 4;
    }
    if (e instanceof NumericalError) {
      process.stderr.write(`nla: numerical failure: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
}
