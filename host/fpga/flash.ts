import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { FIRMWARE_FLASH_OFFSET, firmwareFlashImage, readFirmwareFile } from './firmware-image.js';
import { ice40Board } from './ice40-build.js';

/**
 * Writes a bitstream to an attached board with the open programmers: `iceprog` (fpga-icestorm; writes the
 * board's SPI flash through the FTDI, so the design comes back at power-up) or `openFPGALoader` (the same
 * with `-f`). Nothing is written when no board answers: the programmer's own message becomes a
 * `FlashError` (exit 4), never a success.
 *
 * With `firmware`, the soft CPU's firmware is written too, first, as a flash image (firmware-image.ts:
 * header + payload) at FIRMWARE_FLASH_OFFSET (1 MiB), where cpu_link's boot ROM reads it at power-up:
 * `iceprog -o 1048576 <image>` / `openFPGALoader -b ice40_generic -f -o 1048576 <image>`, then the
 * bitstream as without it (iceprog erases only the 64 KiB blocks it writes: neither write touches the
 * other's). Firmware first, so that with --sram the flash holds it when the FPGA starts.
 */
export interface FlashOptions {
  bin: string;
  board?: string;
  /** 'iceprog' or 'openFPGALoader'; default: the first of the board's programmers that is installed. */
  tool?: string;
  /** Load into the FPGA's configuration RAM only (lost at power-off): iceprog -S, openFPGALoader without -f. */
  sram?: boolean;
  /** The soft CPU's firmware (raw binary, or .hex of 16/32-bit words): its flash image is written at FIRMWARE_FLASH_OFFSET. */
  firmware?: string;
  /** Where the flash image is written (default: firmware-flash.bin beside the bitstream). */
  firmwareImage?: string;
}

/** The configuration flash of the boards (iCEBreaker: W25Q128JV, 16 MiB) and its erase block (iceprog erases 64 KiB blocks). */
const FLASH_BYTES = 16 * 1024 * 1024;
const ERASE_BLOCK = 65536;

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

/**
 * Every programmer run of a flash, in order: the firmware image at its offset (with `firmware`; the image
 * file is written here, also for a dry run), then the bitstream (flashCommand).
 */
export function flashCommands(o: FlashOptions): { tool: string; args: string[] }[] {
  const bit = flashCommand(o);
  if (o.firmware === undefined) return [bit];
  if (!existsSync(o.firmware)) throw new UsageError(`--firmware: ${o.firmware} does not exist (a raw binary from objcopy -O binary, or a .hex of 16- or 32-bit words)`);
  const image = firmwareFlashImage(readFirmwareFile(o.firmware));
  const bitBytes = readFileSync(o.bin).length;
  if (Math.ceil(bitBytes / ERASE_BLOCK) * ERASE_BLOCK > FIRMWARE_FLASH_OFFSET) throw new UsageError(`--bin: the bitstream (${bitBytes} bytes) reaches the firmware's place in the flash (${FIRMWARE_FLASH_OFFSET})`);
  if (FIRMWARE_FLASH_OFFSET + image.length > FLASH_BYTES) throw new UsageError(`--firmware: the image (${image.length} bytes) does not fit the flash after ${FIRMWARE_FLASH_OFFSET}`);
  const path = o.firmwareImage ?? join(dirname(o.bin), 'firmware-flash.bin');
  writeFileSync(path, image);
  const offset = String(FIRMWARE_FLASH_OFFSET);
  // the board's arguments for a flash write (iceprog: none; openFPGALoader: -b ice40_generic -f), then the offset
  const flashArgs = ice40Board(o.board ?? 'icebreaker').flash.find((f) => f.tool === bit.tool)!.args;
  return [{ tool: bit.tool, args: [...flashArgs, '-o', offset, path] }, bit];
}

/** Runs the programmer (each of flashCommands in turn); resolves with its output, rejects with a FlashError carrying the programmer's message (a later run is not started). */
export async function flashBitstream(o: FlashOptions, onOutput?: (s: string) => void): Promise<string> {
  let out = '';
  for (const c of flashCommands(o)) out += await runProgrammer(c.tool, c.args, onOutput);
  return out;
}

function runProgrammer(tool: string, args: string[], onOutput?: (s: string) => void): Promise<string> {
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
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new FlashError(`${tool} ${args.join(' ')} failed (exit ${code}): ${out.trim().split('\n').slice(-3).join(' ') || 'no output'}`));
    });
  });
}
