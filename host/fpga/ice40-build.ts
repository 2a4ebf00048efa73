import { didYouMean } from '../../core/did-you-mean.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { cpuLinkImage, repoRoot } from '../board/verilate.js';
import { boardTopVcore } from './gateware-capacity.js';
import { FIRMWARE_FLASH_OFFSET, firmwareFlashImage, readFirmwareFile } from './firmware-image.js';

/**
 * Synthesis, place and route and packing of a gateware top for an iCE40 board with the open flow
 * (yosys synth_ice40, nextpnr-ice40, icepack). The top is wrapped by gateware/boards/ice40_top.v
 * (power-on reset, pins of gateware/boards/<board>.pcf) and given CLK_HZ and BAUD. Returns the
 * resources yosys mapped and the clock nextpnr achieved against the declared one; a design that does
 * not fit the device or misses its clock is an `FpgaBuildError` that says by how much.
 */
export interface Ice40Board {
  /** nextpnr device and package flags. */
  device: string[];
  /** The device's name as a person reads it. */
  part: string;
  /** The board's oscillator, Hz (the design's clock). */
  clkHz: number;
  /** What the device offers: logic cells (one LUT4 and one flip-flop each), 4 kbit block RAMs, DSPs, 256 kbit single-port RAMs. */
  logicCells: number;
  ebr: number;
  dsp: number;
  spram: number;
  /** How to put a bitstream on it: the programmer and its arguments before the file. */
  flash: { tool: string; args: string[] }[];
}

export const ICE40_BOARDS: Record<string, Ice40Board> = {
  // iCEBreaker: iCE40UP5K-SG48, 12 MHz oscillator, FT2232H (channel A: SPI flash, channel B: UART)
  icebreaker: {
    device: ['--up5k', '--package', 'sg48'],
    part: 'iCE40UP5K-SG48',
    clkHz: 12_000_000,
    logicCells: 5280,
    ebr: 30,
    dsp: 8,
    spram: 4,
    flash: [
      { tool: 'iceprog', args: [] },
      { tool: 'openFPGALoader', args: ['-b', 'ice40_generic', '-f'] },
    ],
  },
};

export function ice40Board(name: string): Ice40Board {
  const b = ICE40_BOARDS[name];
  if (!b) throw new UsageError(`--board: unknown board '${name}': known boards are ${Object.keys(ICE40_BOARDS).join(', ')}${didYouMean(name, Object.keys(ICE40_BOARDS))}`);
  return b;
}

export interface Ice40BuildOptions {
  top: string;
  board?: string;
  baud?: number;
  /** Output folder (default <repo>/build/ice40/<top>). */
  outDir?: string;
  /** nextpnr placer seed (default 1: reproducible). */
  seed?: number;
  /** Called as each stage starts and ends, and every 30 s while one runs. */
  onProgress?: (line: string) => void;
}

/** Cell counts after synthesis. */
export interface Ice40Synthesis {
  luts: number;
  carries: number;
  ebr: number;
  spram: number;
  dsp: number;
  flipFlops: number;
  /**
   * Logic cells after nextpnr's packing (`--pack-only`): a LUT4 and the flip-flop it drives share a
   * cell, while a carry or a flip-flop that cannot join its LUT takes one of its own. This, not the
   * LUT4 count, is what must fit the device's logic cells.
   */
  packedCells: number;
  yosysMs: number;
}

export interface Ice40BuildResult extends Ice40Synthesis {
  board: string;
  part: string;
  /** Logic cells placed (a LUT and/or a flip-flop each) and the device's total. */
  logicCells: number;
  logicCellsAvailable: number;
  /** Achieved clock (nextpnr's timing analysis) and the declared one, MHz. */
  fmaxMHz: number;
  clockMHz: number;
  asc: string;
  /** The bitstream (icepack's output; the build fails without it). */
  bin: string;
  pnrMs: number;
  outDir: string;
}

/** The design does not fit the device, or misses its clock: `needs` lists each shortfall (what it needs, what the device offers). */
export class FpgaBuildError extends Error {
  constructor(
    message: string,
    readonly needs: string[],
    readonly synthesis: Ice40Synthesis | null,
  ) {
    super(message);
    this.name = 'FpgaBuildError';
  }
}

/** The open flow's tools, how each is asked for its help, and the Debian/Ubuntu package that installs it. */
const ICE40_TOOLS = [
  { tool: 'yosys', args: ['-V'], pkg: 'yosys' },
  { tool: 'nextpnr-ice40', args: ['--version'], pkg: 'nextpnr-ice40' },
  { tool: 'icepack', args: ['-h'], pkg: 'fpga-icestorm' },
] as const;

/**
 * Whether a program can be started. Only a failure to start it (ENOENT) means it is missing: its exit
 * status says nothing (`icepack -h` prints its help and exits 1).
 */
export function toolInstalled(cmd: string, args: readonly string[]): boolean {
  return spawnSync(cmd, [...args], { stdio: 'ignore' }).error === undefined;
}

/** The tools of the flow that are not installed, each with its package (empty: all are). */
export function missingIce40Tools(installed: (cmd: string, args: readonly string[]) => boolean = toolInstalled): { tool: string; pkg: string }[] {
  return ICE40_TOOLS.filter((t) => !installed(t.tool, t.args)).map(({ tool, pkg }) => ({ tool, pkg }));
}

/** Whether yosys, nextpnr-ice40 and icepack are installed. */
export function ice40ToolsAvailable(): boolean {
  return missingIce40Tools().length === 0;
}

/** Why the build cannot run (a UsageError naming each missing tool and its package), or nothing. */
export function ice40ToolsProblem(missing = missingIce40Tools()): UsageError | null {
  if (!missing.length) return null;
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  return new UsageError(
    `the iCE40 build needs yosys, nextpnr-ice40 and icepack; not installed: ${missing.map((m) => m.tool).join(', ')} (Debian/Ubuntu: apt-get install ${pkgs.join(' ')})`,
  );
}

/** The clocks nextpnr timed: achieved and constrained frequency, MHz, by clock net. */
export type NextpnrClocks = Record<string, { achieved: number; constraint: number }>;

/**
 * The clocks of a nextpnr-ice40 run: the `fmax` map of its --report JSON, or, when that holds none,
 * the last "Max frequency for clock 'NET': A MHz (PASS|FAIL at C MHz)" line of its log for each clock
 * (it prints one after placement and one after routing). A run that timed no clock (no fmax in either:
 * the clock net was optimised away or not constrained) is an FpgaBuildError, never a silent pass.
 */
export function nextpnrClocks(reportText: string | null, logText: string): NextpnrClocks {
  let clocks: NextpnrClocks = {};
  if (reportText) {
    const rep = JSON.parse(reportText) as { fmax?: NextpnrClocks };
    clocks = Object.fromEntries(Object.entries(rep.fmax ?? {}).filter(([, f]) => Number.isFinite(f.achieved) && f.achieved > 0));
  }
  if (!Object.keys(clocks).length) {
    for (const m of logText.matchAll(/Max frequency for clock '([^']+)': ([0-9.]+) MHz \((?:PASS|FAIL) at ([0-9.]+) MHz\)/g)) {
      clocks[m[1]!] = { achieved: Number(m[2]), constraint: Number(m[3]) };
    }
  }
  if (!Object.keys(clocks).length) {
    const why = 'clock: nextpnr reported no fmax for any clock (the timing of the design was not verified)';
    throw new FpgaBuildError(`${why}: its report and log name no "Max frequency for clock" (is the clock net driven and used?)`, [why], null);
  }
  return clocks;
}

/** Runs a tool; resolves with its wall time, ms, or rejects with the tail of its log. */
function run(cmd: string, args: string[], cwd: string, log: string, say?: (s: string) => void): Promise<{ ms: number; ok: boolean; tail: string }> {
  const t0 = Date.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const beat = say ? setInterval(() => say(`  ${cmd} running, ${Math.round((Date.now() - t0) / 1000)} s`), 30_000) : null;
    child.once('error', (e) => {
      if (beat) clearInterval(beat);
      reject(new UsageError(`${cmd} could not be started: ${e.message}`));
    });
    child.once('close', (code) => {
      if (beat) clearInterval(beat);
      const logTail = existsSync(join(cwd, log)) ? readFileSync(join(cwd, log), 'utf8').slice(-6000) : '';
      resolveRun({ ms: Date.now() - t0, ok: code === 0, tail: (out + '\n' + logTail).trim().slice(-4000) });
    });
  });
}

/**
 * Whether the top boots its soft processor from the configuration flash (it has the port flash_miso:
 * cpu_link's boot ROM inside); its bitstream then needs the firmware image in the flash beside it.
 */
export function topBootsFromFlash(gw: string, top: string): boolean {
  const f = join(gw, `${top}.v`);
  return existsSync(f) && /\binput\s+(?:wire\s+)?flash_miso\b/.test(readFileSync(f, 'utf8'));
}

/** The firmware image a flash-booting top needs beside its bitstream, and how to write both. */
export interface FirmwareFlashFile {
  /** The flash image (firmware-image.ts: header + payload) written into the build folder. */
  image: string;
  /** The firmware it packs (boardFirmwareHex: the committed cpulink_vcore.hex or cpulink_board.hex) and its size, bytes. */
  firmware: string;
  firmwareBytes: number;
  /** Byte address of the image in the configuration flash (boot_rom.S's OFFSET). */
  offset: number;
  /** The programmer runs that write both, in order: the image at its offset, then the bitstream. */
  commands: string[];
}

/**
 * The committed firmware of board_top's core, what the simulations run and the flash must carry:
 * gateware/firmware/cpulink_vcore.hex where board_top's VCORE is 1 (the vector core), cpulink_board.hex for
 * nla_core (VCORE = 0); the same choice as verilate.ts's cpuLinkImage.
 */
export function boardFirmwareHex(gw = join(repoRoot(), 'gateware')): string {
  return cpuLinkImage(gw, boardTopVcore(gw));
}

/**
 * For a top that boots its soft processor from the flash (topBootsFromFlash): writes the flash image of
 * the committed firmware of board_top's core (boardFirmwareHex: cpulink_vcore.hex for the vector core) as
 * <out>/firmware-flash.bin, and says how to write it and the bitstream <out>/design.bin with iceprog
 * (`nla fpga flash --firmware` does the same). Null for any other top.
 */
export function writeFirmwareFlashFile(top: string, outDir: string, gw = join(repoRoot(), 'gateware')): FirmwareFlashFile | null {
  if (!topBootsFromFlash(gw, top)) return null;
  const firmware = boardFirmwareHex(gw);
  const bytes = readFirmwareFile(firmware);
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const image = join(out, 'firmware-flash.bin');
  writeFileSync(image, firmwareFlashImage(bytes));
  return {
    image,
    firmware,
    firmwareBytes: bytes.length,
    offset: FIRMWARE_FLASH_OFFSET,
    commands: [`iceprog -o ${FIRMWARE_FLASH_OFFSET} ${image}`, `iceprog ${join(out, 'design.bin')}`],
  };
}

/**
 * The Verilog yosys reads for a top: gateware/*.v, the vector core (gateware/vcore/*.v: board_top's core where its
 * VCORE is 1, vcore_board and what it instantiates) and the soft processor cpu_link runs (gateware/cpu/: its core and
 * register file). Modules the top does not reach are dropped by synth_ice40's -top.
 */
export function synthesisSources(gw: string): string[] {
  const v = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v')).sort().map((f) => join(dir, f)) : []);
  return [...v(gw), ...v(join(gw, 'vcore')), ...['rv32_core.v', 'rv32_regfile.v'].map((f) => join(gw, 'cpu', f)).filter((f) => existsSync(f))];
}

/** Synthesis of the top wrapped for the board; the cell counts yosys mapped. */
async function synthesize(o: Ice40BuildOptions, board: Ice40Board, gw: string, out: string): Promise<Ice40Synthesis> {
  const sources = synthesisSources(gw);
  // a top with the configuration flash's pins (board_top: cpu_link's boot ROM reads the soft processor's firmware
  // from it) gets them, and the LEDs, from ice40_top (BOARD_TOP_FLASH)
  const flash = topBootsFromFlash(gw, o.top) ? ' -DBOARD_TOP_FLASH' : '';
  const script = [
    `read_verilog -DBOARD_TOP=${o.top}${flash} -I${gw} ${join(gw, 'boards', 'ice40_top.v')} ${sources.join(' ')}`,
    `chparam -set CLK_HZ ${board.clkHz} -set BAUD ${o.baud ?? 921_600} ice40_top`,
    'synth_ice40 -dsp -top ice40_top -json design.json',
    'tee -q -o stat.json stat -json',
  ].join('; ');
  o.onProgress?.(`synthesis: yosys synth_ice40 -dsp (${o.top})`);
  const y = await run('yosys', ['-q', '-l', 'yosys.log', '-p', script], out, 'yosys.log', o.onProgress);
  if (!y.ok) throw new Error(`yosys failed on ${o.top} (log: ${join(out, 'yosys.log')}):\n${y.tail}`);
  const cells = (JSON.parse(readFileSync(join(out, 'stat.json'), 'utf8')) as { design: { num_cells_by_type: Record<string, number> } }).design.num_cells_by_type;
  const n = (t: string) => cells[t] ?? 0;
  return {
    luts: n('SB_LUT4'),
    carries: n('SB_CARRY'),
    ebr: n('SB_RAM40_4K'),
    spram: n('SB_SPRAM256KA'),
    dsp: n('SB_MAC16'),
    flipFlops: Object.entries(cells).filter(([t]) => t.startsWith('SB_DFF')).reduce((s, [, v]) => s + v, 0),
    packedCells: await packedCells(o, board, out),
    yosysMs: y.ms,
  };
}

/**
 * The logic cells of the synthesized design after nextpnr's packing alone (no placement, under a
 * second even for the whole board): the count a full run would try to place. A report without it is an
 * error, not a zero.
 */
async function packedCells(o: Ice40BuildOptions, board: Ice40Board, out: string): Promise<number> {
  rmSync(join(out, 'pack-report.json'), { force: true });
  const r = await run('nextpnr-ice40', [...board.device, '--json', 'design.json', '--pack-only', '--report', 'pack-report.json', '-q', '-l', 'pack.log'], out, 'pack.log');
  const file = join(out, 'pack-report.json');
  const used = r.ok && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { utilization?: Record<string, { used?: number }> }).utilization?.ICESTORM_LC?.used : undefined;
  if (typeof used !== 'number') throw new Error(`nextpnr-ice40 --pack-only gave no logic-cell count for ${o.top} (log: ${join(out, 'pack.log')}):\n${r.tail}`);
  return used;
}

/** Each resource the synthesized design needs beyond what the device has (empty: it may fit; placement decides). */
export function shortfalls(s: Ice40Synthesis, b: Ice40Board): string[] {
  const out: string[] = [];
  const need = (what: string, needs: number, has: number) => {
    if (needs > has) out.push(`${what}: needs ${needs}, the ${b.part} has ${has} (${(needs / has).toFixed(2)}×)`);
  };
  need('LUT4 (logic cells)', s.luts, b.logicCells);
  need('logic cells after packing (LUT4 + carry + flip-flop)', s.packedCells, b.logicCells);
  need('flip-flops (logic cells)', s.flipFlops, b.logicCells);
  need('block RAMs (EBR, 4 kbit)', s.ebr, b.ebr);
  need('DSPs (SB_MAC16)', s.dsp, b.dsp);
  need('SPRAMs (256 kbit)', s.spram, b.spram);
  return out;
}

/**
 * Runs yosys, nextpnr-ice40 and icepack; throws a UsageError if one of them is not installed (before
 * anything runs) and an FpgaBuildError if the design does not fit, misses the declared clock or was not
 * timed. nextpnr's own report is nextpnr-report.json in the output folder.
 */
export async function buildIce40(o: Ice40BuildOptions): Promise<Ice40BuildResult> {
  // checked before anything runs: a flow that cannot end in a bitstream is refused, not minutes later
  const toolsProblem = ice40ToolsProblem();
  if (toolsProblem) throw toolsProblem;
  const boardName = o.board ?? 'icebreaker';
  const board = ice40Board(boardName);
  const gw = join(repoRoot(), 'gateware');
  if (!existsSync(join(gw, `${o.top}.v`))) throw new UsageError(`no gateware top ${o.top} in ${gw}`);
  const out = resolve(o.outDir ?? join(repoRoot(), 'build', 'ice40', o.top));
  mkdirSync(out, { recursive: true });
  const syn = await synthesize(o, board, gw, out);
  o.onProgress?.(`synthesis done in ${(syn.yosysMs / 1000).toFixed(0)} s: ${syn.luts} LUT4, ${syn.flipFlops} flip-flops, ${syn.packedCells} logic cells packed, ${syn.ebr} EBR, ${syn.dsp} DSP, ${syn.spram} SPRAM`);
  const short = shortfalls(syn, board);
  if (short.length) throw new FpgaBuildError(`${o.top} does not fit the ${board.part} (${boardName}):\n  ${short.join('\n  ')}`, short, syn);
  const clockMHz = board.clkHz / 1e6;
  // what an earlier build left in the folder is never taken for this one's
  for (const f of ['design.asc', 'design.bin', 'nextpnr-report.json', 'nextpnr.log']) rmSync(join(out, f), { force: true });
  o.onProgress?.(`place and route: nextpnr-ice40 ${board.device.join(' ')} --freq ${clockMHz}`);
  const pnr = await run('nextpnr-ice40', [...board.device, '--json', 'design.json', '--pcf', join(gw, 'boards', `${boardName}.pcf`), '--asc', 'design.asc',
    '--freq', String(clockMHz), '--seed', String(o.seed ?? 1), '--report', 'nextpnr-report.json', '-q', '-l', 'nextpnr.log'], out, 'nextpnr.log', o.onProgress);
  if (!pnr.ok) {
    const why = /ERROR: .*/.exec(pnr.tail)?.[0] ?? pnr.tail.split('\n').slice(-3).join(' ');
    throw new FpgaBuildError(`${o.top} could not be placed and routed on the ${board.part}: ${why} (log: ${join(out, 'nextpnr.log')})`, [why], syn);
  }
  const reportFile = join(out, 'nextpnr-report.json');
  const reportText = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : null;
  let clocks: NextpnrClocks;
  try {
    clocks = nextpnrClocks(reportText, readFileSync(join(out, 'nextpnr.log'), 'utf8'));
  } catch (e) {
    if (e instanceof FpgaBuildError) throw new FpgaBuildError(`${o.top} on ${boardName}: ${e.message} (log: ${join(out, 'nextpnr.log')})`, e.needs, syn);
    throw e;
  }
  const rep = (reportText ? JSON.parse(reportText) : {}) as { utilization?: Record<string, { used: number; available: number }> };
  const lc = rep.utilization?.ICESTORM_LC;
  const fmaxMHz = Math.min(...Object.values(clocks).map((f) => f.achieved));
  if (!(fmaxMHz >= clockMHz)) throw new FpgaBuildError(`${o.top} misses the declared ${clockMHz} MHz clock on ${boardName}: fmax ${fmaxMHz.toFixed(2)} MHz`, [`clock: needs ${clockMHz} MHz, reaches ${fmaxMHz.toFixed(2)} MHz`], syn);
  const p = await run('icepack', ['design.asc', 'design.bin'], out, 'none');
  const bin = join(out, 'design.bin');
  if (!p.ok || !existsSync(bin)) {
    const why = `bitstream: icepack did not write ${bin}: ${p.tail.split('\n').slice(-3).join(' ') || 'no output'}`;
    throw new FpgaBuildError(`${o.top} was placed and routed but not packed: ${why}`, [why], syn);
  }
  o.onProgress?.(`placed: ${lc?.used ?? 0}/${lc?.available ?? 0} logic cells, fmax ${fmaxMHz.toFixed(1)} MHz (clock ${clockMHz} MHz); bitstream ${bin}`);
  return {
    ...syn,
    board: boardName,
    part: board.part,
    logicCells: lc?.used ?? 0,
    logicCellsAvailable: lc?.available ?? 0,
    fmaxMHz,
    clockMHz,
    asc: join(out, 'design.asc'),
    bin,
    pnrMs: pnr.ms,
    outDir: out,
  };
}
