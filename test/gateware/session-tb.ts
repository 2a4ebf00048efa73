import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { crc32 } from '../../core/crc32.js';
import { cobsDecode, cobsEncode } from '../../host/protocol/cobs.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, type Frame } from '../../host/protocol/frame.js';
import { decodePayload, encodePayload, typeCode, type Message } from '../../host/protocol/messages.js';
import { buildCpuSessionTb } from './cpu-session-tb.js';

/**
 * The Verilator testbench of the board's link layer and session (gateware/sim/session_tb.cpp around
 * board_link + core_stub), driven from TypeScript: raw frames (header || payload) built with
 * host/protocol/frame.ts and messages.ts go to it as hex on stdin; the frames it sends come back as hex
 * and are checked by running them through frame.ts's own decoder (CRC and COBS added here).
 */
export const hasVerilator = (() => {
  try {
    execFileSync('verilator', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasVerilator) process.stderr.write('NOTE: verilator is not installed: the gateware session tests are skipped (apt-get install verilator)\n');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GW = join(ROOT, 'gateware');
export const SOURCES = [
  'sim/session_harness.v', 'sim/core_stub.v', 'board_link.v', 'ram_dp.v', 'ms_clock.v', 'rx_queue.v', 'queue_mem.v', 'link_rx.v',
  'link_tx.v', 'rto_estimator.v', 'unseq_frame.v', 'line_time.v', 'idle_timer.v', 'session.v', 'msg_rom.v',
  'output_history.v',
];
const EXTRA = ['session_defs.vh', 'msg_text.vh', 'cmp_const.vh', 'sim/session_tb.cpp'];

/** Clock cycles per simulated ms in the testbench (the design's TICK_CYCLES). */
export const TICK_CYCLES = 20;

/** Builds the testbench once per set of sources and parameters (cached under build/, keyed by their hash). */
export function buildSessionTb(params: Record<string, number> = {}): string {
  const h = createHash('sha256');
  for (const f of [...SOURCES, ...EXTRA]) h.update(f).update(readFileSync(join(GW, f)));
  const gs = Object.entries({ TICK_CYCLES, ...params }).map(([k, v]) => `-G${k}=${v}`);
  h.update(gs.join(' '));
  const dir = join(ROOT, 'build', 'gateware', `session-tb-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, 'Vsession_harness');
  // one build at a time (test files run in parallel): the first takes a lock, the others wait for the binary
  const lock = `${dir}.lock`;
  mkdirSync(join(ROOT, 'build', 'gateware'), { recursive: true });
  for (let waited = 0; !existsSync(bin); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      if (waited > 600_000) throw new Error(`waited 600 s for another build of ${dir} (remove ${lock} if none runs)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!existsSync(bin)) verilate(dir, gs);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return bin;
}

/** The firmware's sources (gateware/firmware/, C99) and its native testbench. */
export const FIRMWARE_SOURCES = ['native_tb.c', 'fw.c', 'link.c', 'session.c', 'history.c', 'rto.c'];
const FIRMWARE_HEADERS = ['config.h', 'hal.h', 'fw.h', 'link.h', 'session.h', 'history.h', 'rto.h', 'image_install.c', 'image_install.h'];   // image_install.c: compiled into session.c
const FW = join(GW, 'firmware');

/** Whether a C compiler (`cc`) is installed: the firmware's session tests need one. */
export const hasCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Builds the firmware's native testbench (gateware/firmware/native_tb.c with the firmware, host cc) once
 * per set of sources (cached under build/, keyed by their hash). It speaks the line protocol of
 * sim/session_tb.cpp, so that SessionTb drives it as it drives the RTL.
 */
export function buildFirmwareTb(): string {
  const h = createHash('sha256');
  for (const f of [...FIRMWARE_SOURCES, ...FIRMWARE_HEADERS]) h.update(f).update(readFileSync(join(FW, f)));
  h.update(`TICK_CYCLES=${TICK_CYCLES}`);
  const dir = join(ROOT, 'build', 'gateware');
  const bin = join(dir, `firmware-tb-${h.digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(bin)) {
    const tmp = `${bin}.tmp-${process.pid}`;
    execFileSync('cc', ['-O2', '-std=c99', '-Wall', '-Werror', `-DTICK_CYCLES=${TICK_CYCLES}`, '-o', tmp,
      ...FIRMWARE_SOURCES.map((f) => join(FW, f))], { stdio: 'pipe' });
    renameSync(tmp, bin);
  }
  return bin;
}

/** Whether the RISC-V cross compiler is installed (apt-get install gcc-riscv64-unknown-elf). */
export const hasRiscvGcc = (() => {
  try {
    execFileSync('riscv64-unknown-elf-gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasRiscvGcc) process.stderr.write('NOTE: riscv64-unknown-elf-gcc is not installed: the session tests of the firmware on rv32i are skipped (apt-get install gcc-riscv64-unknown-elf)\n');
if (!hasCc) process.stderr.write('NOTE: cc is not installed: the session tests of the firmware are skipped\n');
const RV32_FILES = ['rv32/hal_ecall.c', 'rv32/hal_calls.h', 'rv32/link.ld', 'rv32_iss.c', 'rv32_exec.h'];

/**
 * Builds the firmware for a soft RV32I (riscv64-unknown-elf-gcc -march=rv32i -Os, the HAL as ecalls) and
 * the native testbench with gateware/firmware/rv32_iss.c, an instruction-set simulator that runs that
 * machine code in place of the natively compiled firmware (cached under build/, keyed by the sources).
 */
export function buildRv32Tb(): string {
  const h = createHash('sha256');
  for (const f of [...FIRMWARE_SOURCES, ...FIRMWARE_HEADERS, ...RV32_FILES]) h.update(f).update(readFileSync(join(FW, f)));
  h.update(`TICK_CYCLES=${TICK_CYCLES}`);
  const dir = join(ROOT, 'build', 'gateware');
  const stem = join(dir, `firmware-rv32-${h.digest('hex').slice(0, 16)}`);
  const bin = `${stem}-tb`;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(bin)) {
    const tmp = `${stem}.tmp-${process.pid}`;
    execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-nostdlib', '-std=c99',
      '-Wall', '-Werror', '-Wl,--no-warn-rwx-segments', '-T', join(FW, 'rv32/link.ld'), '-o', `${tmp}.elf`,
      join(FW, 'rv32/hal_ecall.c'), ...FIRMWARE_SOURCES.filter((f) => f !== 'native_tb.c').map((f) => join(FW, f)), '-lgcc'], { stdio: 'pipe' });
    execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', `${tmp}.elf`, `${tmp}.bin`], { stdio: 'pipe' });
    rmSync(`${tmp}.elf`, { force: true });
    renameSync(`${tmp}.bin`, `${stem}.bin`);   // (atomic: a testbench of a parallel test file may be reading it)
    execFileSync('cc', ['-O2', '-std=c99', '-Wall', '-Werror', `-DTICK_CYCLES=${TICK_CYCLES}`, `-DRV_IMAGE_PATH="${stem}.bin"`,
      '-o', tmp, join(FW, 'native_tb.c'), join(FW, 'rv32_iss.c')], { stdio: 'pipe' });
    renameSync(tmp, bin);
  }
  return bin;
}

/**
 * The boards the session tests run against: the RTL (Verilator), the firmware compiled natively, and the
 * same firmware compiled for RV32I and run by an instruction-set simulator.
 */
export const BOARDS: Array<[string, () => string, boolean]> = [
  ['RTL', () => buildSessionTb(), hasVerilator],
  ['firmware', buildFirmwareTb, hasCc],
  ['firmware on rv32i', buildRv32Tb, hasCc && hasRiscvGcc],
  ['firmware on the soft CPU (cpu_link)', () => buildCpuSessionTb({ TICK_CYCLES: 4000 }), hasVerilator && hasRiscvGcc],
];

function verilate(dir: string, gs: string[]): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('verilator', [
    '--cc', '--exe', '--build', '-j', '2', '-Wno-fatal', '-Wno-lint', '-Wno-style', '-O2', '--top-module', 'session_harness',
    `-I${GW}`, `-I${join(GW, 'sim')}`, ...gs, '-CFLAGS', `-O1 -DTICK_CYCLES=${TICK_CYCLES}`, '--Mdir', tmp,
    ...SOURCES.map((f) => join(GW, f)), join(GW, 'sim/session_tb.cpp'),
  ], { stdio: 'pipe' });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export interface TxFrame {
  /** Simulated ms when its last byte left. */
  ms: number;
  frame: Frame;
  /** The decoded payload (null when it does not decode). */
  message: Message | null;
}

/** A raw frame (header || payload, CRC stripped) as frame.ts encodes it. */
export function rawFrame(f: Frame): Uint8Array {
  const line = encodeFrame(f);
  const raw = cobsDecode(line.subarray(0, line.length - 1));
  if (!raw) throw new Error('frame.ts produced a block it cannot decode');
  return raw.subarray(0, raw.length - 4);
}

/** Decodes a raw frame the design sent by giving it CRC and COBS and running frame.ts's decoder over it. */
export function parseTx(raw: Uint8Array): Frame {
  const withCrc = new Uint8Array(raw.length + 4);
  withCrc.set(raw);
  new DataView(withCrc.buffer).setUint32(raw.length, crc32(raw), true);
  const enc = cobsEncode(withCrc);
  let got: Frame | null = null;
  const dec = new FrameDecoder((f) => (got = f), (why) => {
    throw new Error(`the design sent a frame frame.ts rejects (${why}): ${Buffer.from(raw).toString('hex')}`);
  });
  dec.push(enc);
  dec.push(new Uint8Array([0]));
  if (!got) throw new Error('no frame decoded');
  return got;
}

export class SessionTb {
  private readonly proc: ChildProcessWithoutNullStreams;
  private pending: TxFrame[] = [];
  private waiters: Array<{ resolve: (cycle: number) => void; reject: (e: Error) => void }> = [];
  private closing = false;
  /** What the testbench printed besides its protocol lines (a $display before a $stop, Verilator's messages). */
  private readonly other: string[] = [];
  /** Every frame the design sent, in order. */
  readonly sent: TxFrame[] = [];
  lastStatusLine = '';
  /** Clock cycle at the end of the last command. */
  cycle = 0;

  constructor(bin: string) {
    this.proc = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const rl = createInterface({ input: this.proc.stdout });
    rl.on('line', (l) => {
      if (l.startsWith('TX ')) {
        const [, ms, hex] = l.split(' ');
        const frame = parseTx(Uint8Array.from(Buffer.from(hex!, 'hex')));
        const d = decodePayload(frame.type, frame.payload);
        const t: TxFrame = { ms: Number(ms), frame, message: d.ok ? d.message : null };
        this.pending.push(t);
        this.sent.push(t);
      } else if (l.startsWith('ST ')) this.lastStatusLine = l;
      else if (l.startsWith('OK ')) {
        this.cycle = Number(l.slice(3));
        this.waiters.shift()?.resolve(this.cycle);
      } else this.other.push(l);
    });
    this.proc.stderr.on('data', (d: Buffer) => this.other.push(d.toString().trimEnd()));
    // a testbench that dies (a $stop in the design, a crash) fails the commands waiting on it, with its output
    this.proc.on('exit', (code, signal) => {
      if (this.closing) return;
      const e = new Error(`the session testbench exited (${signal ?? code}) at cycle ${this.cycle}: ${this.other.slice(-5).join(' | ')}`);
      for (const w of this.waiters.splice(0)) w.reject(e);
    });
  }

  /** Runs one testbench command; resolves with the frames sent meanwhile. */
  async cmd(c: string): Promise<TxFrame[]> {
    const done = new Promise<number>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.proc.stdin.write(c + '\n');
    await done;
    const out = this.pending;
    this.pending = [];
    return out;
  }

  deliver(f: Frame): Promise<TxFrame[]> {
    return this.cmd('F ' + Buffer.from(rawFrame(f)).toString('hex'));
  }

  /** Simulated ms now (the design's 1 ms clock, within one ms). */
  get nowMs(): number {
    return this.cycle / TICK_CYCLES;
  }

  ms(n: number): Promise<TxFrame[]> {
    return this.cmd(`M ${n}`);
  }

  /** Runs until n more frames were sent (at most maxMs simulated ms). */
  waitFrames(n: number, maxMs = 1000): Promise<TxFrame[]> {
    return this.cmd(`W ${n} ${maxMs}`);
  }

  async state(): Promise<{ open: boolean; state: number; rtoMs: number }> {
    await this.cmd('P');
    const [, o, s, r] = this.lastStatusLine.split(' ');
    return { open: o === '1', state: Number(s), rtoMs: Number(r) };
  }

  close(): void {
    this.closing = true;
    this.proc.stdin.end('Q\n');
  }
}

/**
 * The host's end of the link, kept minimal and explicit: it numbers its SEQ frames, acknowledges every
 * SEQ frame the board sent (ack = the board's next seq) unless told otherwise, and grants 64 credits.
 */
export class TestHost {
  nextSeq = 0;
  boardNext = 0;
  autoAck = true;
  /** The board's last `ack` and `credits`: the host sends a new SEQ frame only within them (4.3). */
  peerAck = 0;
  peerCredits = 1;
  constructor(readonly tb: SessionTb) {}

  /** Notes the board's SEQ frames (in order, no gaps expected) so that the next frame acknowledges them. */
  see(frames: TxFrame[]): TxFrame[] {
    for (const t of frames) {
      if (t.frame.flags & FLAG_SEQ && t.frame.seq === this.boardNext) this.boardNext = (this.boardNext + 1) & 0xffff;
      if (t.frame.flags & FLAG_ACK && ((t.frame.ack - this.peerAck) & 0xffff) <= ((this.nextSeq - this.peerAck) & 0xffff)) {
        this.peerAck = t.frame.ack;
        this.peerCredits = t.frame.credits;
      }
    }
    return frames;
  }

  frame(m: Message, o: { seq?: number; flags?: number; ack?: number; credits?: number; type?: number; payload?: Uint8Array } = {}): Frame {
    const sequenced = m.type !== 'hello' && m.type !== 'ack';
    const flags = o.flags ?? (FLAG_ACK | (sequenced ? FLAG_SEQ : 0));
    let seq = 0;
    if (flags & FLAG_SEQ) {
      seq = o.seq ?? this.nextSeq;
      if (o.seq === undefined) this.nextSeq = (this.nextSeq + 1) & 0xffff;
    }
    return { version: 1, type: o.type ?? typeCode(m), flags, seq, ack: o.ack ?? this.boardNext, credits: o.credits ?? 64, payload: o.payload ?? encodePayload(m) };
  }

  /** Sends m; a new SEQ frame first waits (running the design) until the board's credits allow it, unless `force`. */
  async send(m: Message, o: Parameters<TestHost['frame']>[1] & { force?: boolean } = {}): Promise<TxFrame[]> {
    const early: TxFrame[] = [];
    const sequenced = ((o.flags ?? (m.type !== 'hello' && m.type !== 'ack' ? FLAG_SEQ : 0)) & FLAG_SEQ) !== 0;
    if (sequenced && o.seq === undefined && !o.force) {
      for (let i = 0; i < 2000 && ((this.nextSeq - this.peerAck) & 0xffff) >= this.peerCredits; i++) early.push(...this.see(await this.tb.ms(1)));
    }
    return early.concat(this.see(await this.tb.deliver(this.frame(m, o))));
  }

  /** A pure ACK acknowledging every SEQ frame the board sent so far. */
  async ack(): Promise<TxFrame[]> {
    return this.send({ type: 'ack' });
  }

  /**
   * Sends m, then runs until `answers` frames other than pure ACKs came back (at most maxMs between
   * two); with autoAck, acknowledges what came meanwhile (so a long answer is not held up by the window).
   */
  async request(m: Message, answers = 1, maxMs = 50, o: Parameters<TestHost['send']>[1] = {}): Promise<Message[]> {
    const got = (await this.send(m, o)).filter((t) => t.frame.type !== 0x0d);
    while (got.length < answers) {
      const more = this.see(await this.tb.waitFrames(1, maxMs));
      if (!more.length) break;
      got.push(...more.filter((t) => t.frame.type !== 0x0d));
      if (this.autoAck && more.some((t) => t.frame.flags & FLAG_SEQ)) got.push(...(await this.ack()).filter((t) => t.frame.type !== 0x0d));
    }
    return got.map((t) => t.message!);
  }

  /** HELLO with a nonce; resolves with the HELLO_ACK. */
  async hello(nonce: number, o: { window?: number; newSession?: boolean } = {}): Promise<Message> {
    const r = await this.request({ type: 'hello', major: 1, minor: 0, window: o.window ?? 64, nonce, hostId: 'tb' });
    if (o.newSession ?? true) {
      this.nextSeq = 0;
      this.boardNext = 0;
      this.peerAck = 0;
      this.peerCredits = r[0] && r[0].type === 'hello-ack' ? r[0].caps.window : 1;
    }
    return r[0]!;
  }
}
