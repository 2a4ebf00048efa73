import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tools of the gateware tests: which HDL tools are installed (a test that needs one is skipped with a
 * NOTE when it is absent; .ci/run installs them), and iverilog testbenches compiled once per content
 * hash under build/iverilog/ and run with plusargs.
 */
export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const GATEWARE = join(REPO, 'gateware');

function tool(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export const hasIverilog = tool('iverilog', ['-V']);
export const hasVerilator = tool('verilator', ['--version']);
export const hasYosys = tool('yosys', ['-V']) && tool('nextpnr-ice40', ['--version']);
for (const [ok, name] of [[hasIverilog, 'iverilog'], [hasVerilator, 'verilator'], [hasYosys, 'yosys/nextpnr-ice40']] as const) {
  if (!ok) process.stderr.write(`NOTE: ${name} is not installed: the gateware tests that need it are skipped (apt-get install ${name.split('/')[0]})\n`);
}

/** Compiles a testbench with the given gateware modules and parameters (cached) and returns the .vvp path. */
export function compileTb(tb: string, modules: string[], params: Record<string, number> = {}): string {
  const files = [join(GATEWARE, 'sim', `${tb}.v`), ...modules.map((m) => join(GATEWARE, `${m}.v`))];
  const pargs = Object.entries(params).map(([k, v]) => `-P${tb}.${k}=${v}`);
  const h = createHash('sha256');
  for (const f of files) h.update(f).update(readFileSync(f));
  h.update(pargs.join(' '));
  const dir = join(REPO, 'build', 'iverilog', h.digest('hex').slice(0, 16));
  const vvp = join(dir, `${tb}.vvp`);
  if (existsSync(vvp)) return vvp;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('iverilog', ['-g2005', '-Wall', '-o', vvp, ...pargs, ...files], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`iverilog failed on ${tb}: ${r.stderr}`);
  return vvp;
}

/** Writes vector files into a fresh folder, runs the testbench and returns its output lines (without END). */
export function runTb(vvp: string, files: Record<string, number[]>, plusargs: Record<string, string | number>, bits = 8): string[] {
  const dir = join(REPO, 'build', 'iverilog', 'run', `${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const args = ['-n', vvp];
  const digits = Math.ceil(bits / 4);
  for (const [name, v] of Object.entries(files)) {
    const p = join(dir, `${name}.hex`);
    writeFileSync(p, v.map((x) => x.toString(16).padStart(digits, '0')).join('\n') + '\n');
    args.push(`+${name}=${p}`, `+n${name}=${v.length}`);
  }
  const out = join(dir, 'out.txt');
  args.push(`+out=${out}`);
  for (const [k, v] of Object.entries(plusargs)) args.push(`+${k}=${v}`);
  const r = spawnSync('vvp', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`vvp ${vvp} failed (${r.status}): ${r.stdout}${r.stderr}`);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  if (lines[lines.length - 1] !== 'END') throw new Error(`testbench output of ${vvp} does not end with END: ${lines.slice(-3).join(' | ')}`);
  return lines.slice(0, -1);
}

/** The prefix of an installed RISC-V cross gcc for the soft processor's firmware (Debian: gcc-riscv64-unknown-elf), or null. */
export const riscvPrefix: string | null = ['riscv64-unknown-elf', 'riscv32-unknown-elf', 'riscv-none-elf'].find((p) => tool(`${p}-gcc`, ['--version'])) ?? null;
export const hasRiscvGcc = riscvPrefix !== null;
if (!hasRiscvGcc) process.stderr.write('NOTE: no RISC-V gcc: the soft processor tests are skipped (apt-get install gcc-riscv64-unknown-elf)\n');
