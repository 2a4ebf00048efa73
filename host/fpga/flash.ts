import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { ice40Board } from './ice40-build.js';

/**
 * Writes a bitstream to an attached board with the open programmers: `iceprog` (fpga-icestorm; writes the
 * board's SPI flash through the FTDI, so the design comes back at power-up) or `openFPGALoader` (the same
 * with `-f`). Nothing is written when no board answers: the programmer's own message becomes a
 * `FlashError` (exit 4), never a success.
 */
export interface FlashOptions {
  bin: string;
  board?: string;
  /** 'iceprog' or 'openFPGALoader'; default: the first of the board's programmers that is installed. */
  tool?: string;
  /** Load into the FPGA's configuration RAM only (lost at power-off): iceprog -S, openFPGALoader without -f. */
  sram?: boolean;
}

export class FlashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashError';
  }
}

function installed(tool: string): boolean {
  const r = spawnSync(tool, ['--help'], { stdio: 'ignore' });
  return r.error === undefined;
}

/** Whether bytes are an iCE40 bitstream: the preamble 0x7EAA997E within the first 4 KiB (possibly after a comment block 0xFF00 … 0x00FF). */
export function isIce40Bitstream(bytes: Uint8Array): boolean {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(Buffer.from([0x7e, 0xaa, 0x99, 0x7e]));
  return at >= 0 && at <= 4096;
}

/** The programmer and its arguments for a bitstream; throws a UsageError naming what is missing. */
export function flashCommand(o: FlashOptions): { tool: string; args: string[] } {
  const board = ice40Board(o.board ?? 'icebreaker');
  if (!existsSync(o.bin)) throw new UsageError(`--bin: ${o.bin} does not exist (nla fpga build --out <dir> writes <dir>/design.bin)`);
  if (!isIce40Bitstream(readFileSync(o.bin))) throw new UsageError(`--bin: ${o.bin} is not an iCE40 bitstream (no 0x7EAA997E preamble in its first 4 KiB)`);
  const known = board.flash.map((f) => f.tool);
  if (o.tool !== undefined && !known.includes(o.tool)) throw new UsageError(`--tool: '${o.tool}' is not a programmer for this board; use one of ${known.join(', ')}`);
  const choice = o.tool !== undefined ? board.flash.find((f) => f.tool === o.tool)! : board.flash.find((f) => installed(f.tool));
  if (!choice || !installed(choice.tool)) throw new UsageError(`no programmer installed: install ${known.join(' or ')} (Debian/Ubuntu: apt-get install fpga-icestorm or openfpgaloader)`);
  let args = [...choice.args];
  if (o.sram) args = choice.tool === 'iceprog' ? ['-S'] : args.filter((a) => a !== '-f');
  return { tool: choice.tool, args: [...args, o.bin] };
}

/** Runs the programmer; resolves with its output, rejects with a FlashError carrying the programmer's message. */
export function flashBitstream(o: FlashOptions, onOutput?: (s: string) => void): Promise<string> {
  const { tool, args } = flashCommand(o);
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => {
      out += d.toString();
      onOutput?.(d.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (e) => reject(new FlashError(`${tool} could not be started: ${e.message}`)));
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new FlashError(`${tool} ${args.join(' ')} failed (exit ${code}): ${out.trim().split('\n').slice(-3).join(' ') || 'no output'}`));
    });
  });
}
