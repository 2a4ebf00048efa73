import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';

/**
 * Verilates a gateware top on demand: `verilateTop({ top, params })` builds gateware/<top>.v (other
 * modules are found in gateware/) with the co-simulation harness gateware/sim/board_sim.cpp into an
 * executable, cached under build/verilator/<hash>/ where the hash covers every gateware source, the
 * harness, the top, its parameters and the Verilator version: a rerun with nothing changed skips the
 * C++ build. Builds go to a temporary folder renamed into place, so parallel callers do not collide.
 */
export interface VerilateOptions {
  /** Module name of the top; its file is gateware/<top>.v (or gateware/sim/<top>.v). Ports: clk, rst, uart_rx_pin, uart_tx_pin (optional sim_busy). */
  top: string;
  /** Verilog parameters of the top (-G), e.g. { CLK_HZ: 12e6, BAUD: 921600 }. */
  params?: Record<string, number>;
  /** Parallel C++ compile jobs (default 2). */
  jobs?: number;
  /** Folder of the gateware sources (default: the repository's gateware/). */
  gatewareDir?: string;
  /** Root of the model cache (default: <repo>/build/verilator). */
  buildRoot?: string;
}

export interface VerilatedModel {
  /** The harness executable (run it with --clk-hz, --baud and --pty PATH or --stdio). */
  binary: string;
  dir: string;
  hash: string;
  /** Whether it came from the cache. */
  cached: boolean;
  /** Wall time of the build, ms (0 when cached). */
  buildMs: number;
}

/** The repository root (works from the sources and from dist/). */
export function repoRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes('/dist/') ? join(here, '../../..') : join(here, '../..');
}

export function verilatorVersion(): string | null {
  const r = spawnSync('verilator', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? r.stdout.trim() : null;
}

/** Whether Verilator (and so `verilateTop`) is available. */
export function verilatorAvailable(): boolean {
  return verilatorVersion() !== null;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'boards') files.push(...sourceFiles(p));
    else if (/\.(v|vh|sv|cpp|h|hex)$/.test(e.name)) files.push(p);
  }
  return files.sort();
}

/**
 * The firmware image cpu_link runs on the board (16-bit words for $readmemh, committed so that no RISC-V compiler is
 * needed here): gateware/firmware/cpulink_vcore.hex for board_top's vector core (VCORE = 1, the default; built by
 * `make -C gateware/firmware install-board-image-vcore`), cpulink_board.hex for nla_core (VCORE = 0;
 * `install-board-image`). Its bytes are part of the model's hash (sourceFiles takes .hex files).
 */
export function cpuLinkImage(gatewareDir = join(repoRoot(), 'gateware'), vcore = true): string {
  return join(gatewareDir, 'firmware', vcore ? 'cpulink_vcore.hex' : 'cpulink_board.hex');
}

/** Builds (or finds in the cache) the verilated harness for a top. Throws with Verilator's output on failure. */
export function verilateTop(o: VerilateOptions): VerilatedModel {
  const version = verilatorVersion();
  if (!version) throw new UsageError('the RTL board needs Verilator (Debian/Ubuntu: apt-get install verilator)');
  const gw = o.gatewareDir ?? join(repoRoot(), 'gateware');
  // a board top lives in gateware/, a simulation-only top in gateware/sim/
  const topFile = [join(gw, `${o.top}.v`), join(gw, 'sim', `${o.top}.v`)].find((f) => existsSync(f));
  if (!topFile) throw new UsageError(`no gateware top ${o.top}: neither ${join(gw, `${o.top}.v`)} nor ${join(gw, 'sim', `${o.top}.v`)} exists`);
  const params = Object.entries(o.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [k, v] of params) if (!Number.isInteger(v)) throw new UsageError(`parameter ${k} of ${o.top} must be an integer, got ${v}`);
  const h = createHash('sha256').update(version).update(o.top).update(JSON.stringify(params));
  for (const f of sourceFiles(gw)) h.update(f.slice(gw.length)).update(readFileSync(f));
  const hash = h.digest('hex').slice(0, 16);
  const dir = join(o.buildRoot ?? join(repoRoot(), 'build', 'verilator'), hash);
  const binary = join(dir, 'board_sim');
  if (existsSync(binary)) return { binary, dir, hash, cached: true, buildMs: 0 };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const t0 = Date.now();
  const args = [
    '--cc', '--exe', '--build', '-j', String(o.jobs ?? 2), '-O3', '--no-timing', '-Wno-fatal', '--prefix', 'Vtop',
    '--top-module', o.top, ...params.map(([k, v]) => `-G${k}=${v}`), `-I${gw}`, `-I${join(gw, 'cpu')}`, `-I${join(gw, 'vcore')}`,
    // cpu_link's SPRAM (board_top's link layer and session) starts with the committed firmware image of its core
    `-DCPU_LINK_FW="${cpuLinkImage(gw, o.params?.VCORE !== 0)}"`,
    topFile, join(gw, 'sim', 'board_sim.cpp'),
    '--Mdir', tmp, '-o', 'board_sim', '-CFLAGS', '-O2',
    // the model's code at -O2 instead of Verilator's default -Os: about 20 % more cycles per second
    '-MAKEFLAGS', 'OPT_FAST=-O2',
  ];
  const r = spawnSync('verilator', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || !existsSync(join(tmp, 'board_sim'))) {
    throw new Error(`verilator failed to build ${o.top} (exit ${r.status}): ${(r.stderr || r.stdout).slice(-4000)}`);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    // another process finished the same build first: use its model
    rmSync(tmp, { recursive: true, force: true });
  }
  return { binary, dir, hash, cached: false, buildMs: Date.now() - t0 };
}
