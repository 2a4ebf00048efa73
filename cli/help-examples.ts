import type { Command } from 'commander';

/**
 * Two (or more) examples per command, shown at the end of its `--help`, keyed by the command's path
 * (`board virtual`). Commands whose own help text already ends with an "Examples:" block (fpga build,
 * fpga flash) are not listed; `applyExamples` checks that every command has one or the other.
 */
export const COMMAND_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  validate: ['nla validate examples/teacher/network.json', 'nla validate net.json --json'],
  simulate: [
    'nla simulate examples/teacher/network.json --duration 500ms --input examples/teacher/input.csv --out traces.csv',
    'nla simulate examples/teacher/network.json --engine analog --profile subthreshold --duration 1s --input examples/teacher/input.csv --plot traces.html --out traces.npy',
  ],
  profiles: ['nla profiles', 'nla profiles subthreshold --json'],
  compile: [
    'nla compile examples/teacher/network.json --profile subthreshold --out circuit.json',
    'nla compile examples/teacher/network.json --profile subthreshold --corner worst-slow --spice net.cir --duration 200ms',
  ],
  spice: [
    'nla spice circuit.json --duration 100ms --out spice.csv',
    'nla spice examples/teacher/network.json --profile subthreshold --duration 50ms --spice-engine native',
  ],
  compare: [
    'nla compare examples/teacher/network.json --duration 500ms --input examples/teacher/input.csv --report compare.html',
    'nla compare examples/teacher/network.json --a analog --b spice --profile subthreshold --duration 100ms --max-shift 10ms',
  ],
  montecarlo: [
    'nla montecarlo examples/teacher/network.json --profile subthreshold --runs 50 --duration 300ms --input examples/teacher/input.csv --out mc/',
    'nla montecarlo examples/mnist/network.json --state trained.json --test-set mnist --corner typical,worst-slow --calibrate',
  ],
  sweep: [
    'nla sweep examples/sweep/seeds.json --out sweep-out --workers 2',
    'nla sweep examples/sweep/seeds.json --out sweep-out --queue redis://127.0.0.1:6379/nla-sweep --metric maxAbsU',
  ],
  'build-web': ['nla build-web --out site', 'nla build-web --out /var/www/nla && python3 -m http.server -d /var/www/nla 8000'],
  serve: ['nla serve', 'nla serve --port 0'],
  worker: ['nla worker --queue redis://127.0.0.1:6379/nla-sweep', 'nla worker --queue redis://queue-host:6379/nla-sweep --concurrency 4 --lock-ms 10000'],
  train: ['nla train examples/mnist/network.json --save-state trained.json', 'nla train examples/mnist/network.json --samples 2000 --test-images 1000 --save-state quick.json'],
  image: ['nla image examples/teacher/network.json --out net.img', 'nla image examples/mnist/network.json --state trained.json --vcore-out net.vimg --vcore-build up5k'],
  board: ['nla board virtual --link /tmp/nla-board', 'nla board rtl --link /tmp/nla-rtl'],
  'board virtual': ['nla board virtual --link /tmp/nla-board --baud 921600', 'nla board virtual --core vcore --vcore-build up5k --json'],
  'board rtl': ['nla board rtl --link /tmp/nla-rtl', 'nla board rtl --baud 921600 --clock 12000000 --json'],
  ports: ['nla ports', 'nla ports --json'],
  nir: ['nla nir export examples/teacher/network.json --out teacher.nir', 'nla nir import teacher.nir --out teacher.json'],
  'nir export': ['nla nir export examples/teacher/network.json --out teacher.nir', 'nla nir export examples/mnist/network.json --out mnist.nir'],
  'nir import': ['nla nir import teacher.nir --out teacher.json', 'nla nir import rockpool-graph.nir --out from-peer.json   # prints what it assumed'],
  stream: [
    'nla stream --port /tmp/nla-board --image examples/teacher/network.json --input examples/teacher/input.csv --out board.csv',
    'nla stream --port /dev/ttyUSB1 --image net.img --duration 10s --rate 1000 --log stream.jsonl',
  ],
  replay: ['nla replay stream.jsonl', 'nla replay stream.jsonl --json'],
  experiment: ['nla experiment list', 'nla experiment microcircuit --quick --engine analog --profile subthreshold'],
  fpga: ['nla fpga build --image examples/teacher/network.json --estimate', 'nla fpga flash --dry-run'],
  demo: ['nla demo', 'nla demo --duration 5s --out-dir out/quick --quiet'],
};

/** The command's path below the program: `board virtual`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds each command's examples to its help (recursively); throws for a command that has none. */
export function applyExamples(program: Command, hasOwnExamples: (path: string) => boolean): void {
  for (const cmd of program.commands) {
    const path = commandPath(cmd);
    const lines = COMMAND_EXAMPLES[path];
    if (lines) cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
    else if (!hasOwnExamples(path)) throw new Error(`nla ${path}: no examples for its --help (cli/help-examples.ts)`);
    applyExamples(cmd, hasOwnExamples);
  }
}
