import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { repoRoot } from './verilate.js';

/**
 * Synthesis, place and route and packing of a gateware top for an iCE40 board with the open flow
 * (yosys synth_ice40, nextpnr-ice40, icepack). The top is wrapped by gateware/boards/ice40_top.v
 * (power-on reset, pins of gateware/boards/<board>.pcf) and given CLK_HZ and BAUD. Returns the
 * resources yosys mapped and the clock nextpnr achieved against the declared one.
 */
export interface Ice40Board {
  /** nextpnr device and package flags. */
  device: string[];
  /** The board's oscillator, Hz (the design's clock). */
  clkHz: number;
}

export const ICE40_BOARDS: Record<string, Ice40Board> = {
  icebreaker: { device: ['--up5k', '--package', 'sg48'], clkHz: 12_000_000 },
};

export interface Ice40BuildOptions {
  top: string;
  board?: string;
  baud?: number;
  /** Output folder (default <repo>/build/ice40/<top>). */
  outDir?: string;
  /** nextpnr placer seed (default 1: reproducible). */
  seed?: number;
}

export interface Ice40BuildResult {
  /** Cell counts after synthesis (SB_LUT4, SB_CARRY, SB_RAM40_4K, SB_SPRAM256KA, SB_MAC16, flip-flops). */
  luts: number;
  carries: number;
  ebr: number;
  spram: number;
  dsp: number;
  flipFlops: number;
  /** Logic cells placed (a LUT and/or a flip-flop each) and the device's total. */
  logicCells: number;
  logicCellsAvailable: number;
  /** Achieved clock (nextpnr's timing analysis) and the declared one, MHz. */
  fmaxMHz: number;
  clockMHz: number;
  asc: string;
  /** The bitstream (null when icepack is not installed). */
  bin: string | null;
  yosysMs: number;
  pnrMs: number;
}

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Whether yosys and nextpnr-ice40 are installed. */
export function ice40ToolsAvailable(): boolean {
  return has('yosys', ['-V']) && has('nextpnr-ice40', ['--version']);
}

function run(cmd: string, args: string[], cwd: string): number {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).slice(-4000)}`);
  return Date.now() - t0;
}

/** Runs yosys, nextpnr-ice40 and icepack; throws if the design does not fit or misses the declared clock. */
export function buildIce40(o: Ice40BuildOptions): Ice40BuildResult {
  if (!ice40ToolsAvailable()) throw new UsageError('the iCE40 build needs yosys and nextpnr-ice40 (Debian/Ubuntu: apt-get install yosys nextpnr-ice40 fpga-icestorm)');
  const boardName = o.board ?? 'icebreaker';
  const board = ICE40_BOARDS[boardName];
  if (!board) throw new UsageError(`unknown board ${boardName}: known boards are ${Object.keys(ICE40_BOARDS).join(', ')}`);
  const gw = join(repoRoot(), 'gateware');
  const out = resolve(o.outDir ?? join(repoRoot(), 'build', 'ice40', o.top));
  mkdirSync(out, { recursive: true });
  const sources = readdirSync(gw).filter((f) => f.endsWith('.v')).map((f) => join(gw, f));
  if (!existsSync(join(gw, `${o.top}.v`))) throw new UsageError(`no gateware top ${o.top} in ${gw}`);
  const baud = o.baud ?? 921_600;
  const script = [
    `read_verilog -DBOARD_TOP=${o.top} -I${gw} ${join(gw, 'boards', 'ice40_top.v')} ${sources.join(' ')}`,
    `chparam -set CLK_HZ ${board.clkHz} -set BAUD ${baud} ice40_top`,
    'synth_ice40 -top ice40_top -json design.json',
    'tee -q -o stat.json stat -json',
  ].join('; ');
  const yosysMs = run('yosys', ['-q', '-l', 'yosys.log', '-p', script], out);
  const cells = (JSON.parse(readFileSync(join(out, 'stat.json'), 'utf8')) as { design: { num_cells_by_type: Record<string, number> } }).design.num_cells_by_type;
  const n = (t: string) => cells[t] ?? 0;
  const clockMHz = board.clkHz / 1e6;
  const pnrMs = run('nextpnr-ice40', [...board.device, '--json', 'design.json', '--pcf', join(gw, 'boards', `${boardName}.pcf`), '--asc', 'design.asc',
    '--freq', String(clockMHz), '--seed', String(o.seed ?? 1), '--report', 'report.json', '-q', '-l', 'nextpnr.log'], out);
  const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    fmax: Record<string, { achieved: number; constraint: number }>;
    utilization: Record<string, { used: number; available: number }>;
  };
  const fmaxMHz = Math.min(...Object.values(rep.fmax).map((f) => f.achieved));
  if (!(fmaxMHz >= clockMHz)) throw new Error(`${o.top} misses the declared ${clockMHz} MHz clock on ${boardName}: fmax ${fmaxMHz.toFixed(2)} MHz`);
  let bin: string | null = null;
  if (has('icepack', ['-h']) || existsSync('/usr/bin/icepack')) {
    run('icepack', ['design.asc', 'design.bin'], out);
    bin = join(out, 'design.bin');
  }
  return {
    luts: n('SB_LUT4'),
    carries: n('SB_CARRY'),
    ebr: n('SB_RAM40_4K'),
    spram: n('SB_SPRAM256KA'),
    dsp: n('SB_MAC16'),
    flipFlops: Object.entries(cells).filter(([t]) => t.startsWith('SB_DFF')).reduce((s, [, v]) => s + v, 0),
    logicCells: rep.utilization.ICESTORM_LC?.used ?? 0,
    logicCellsAvailable: rep.utilization.ICESTORM_LC?.available ?? 0,
    fmaxMHz,
    clockMHz,
    asc: join(out, 'design.asc'),
    bin,
    yosysMs,
    pnrMs,
  };
}
