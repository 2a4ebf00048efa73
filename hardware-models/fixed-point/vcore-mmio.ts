import type { VcoreBuild } from './vcore-image.js';
import type { VcorePort } from './vcore-driver.js';

/**
 * The vector core's registers in cpu_link's window (gateware/vcore/vcore_coreio.v; word index = byte offset / 4 in
 * the core's region). The firmware's HAL writes and reads exactly these; `MmioPort` is that HAL in TypeScript.
 */
export const VC_REG = { PROG: 7, K: 8, PAR: 9, BADDR: 10, BLO: 11, BHI: 12, WADDR: 13, WDATA: 14, SAT: 15, RUN: 16, STATUS: 17 } as const;

/** Where the weight port reaches what is not W (vcore.v's W SPRAM map): the knot words and the clip tops. */
export const VC_W_MAP = { knots: 8192, clipTops: 16352 } as const;

/** STATUS bits. */
export const VC_STATUS = { done: 1, busy: 2, trap: 4 } as const;

/** A 32-bit register window: one load or store per call (the soft processor's view of cpu_link). */
export interface MmioBus {
  write(idx: number, value: number): void;
  read(idx: number): number;
}

/**
 * The vector core's port over its registers (the HAL `hal_vcore_*` of the firmware, in TypeScript): each port call
 * becomes the register accesses listed in vcore_coreio.v. A run writes RUN and polls STATUS until done, at most
 * `maxPolls` reads; a trap or a core that never halts is an error naming the pc, never a silent return.
 */
export class MmioPort implements VcorePort {
  constructor(
    private readonly bus: MmioBus,
    readonly build: VcoreBuild,
    private readonly maxPolls = 1 << 24,
  ) {}

  progWrite(halfword: number, value: number): void {
    this.bus.write(VC_REG.PROG, ((halfword << 16) | (value & 0xffff)) >>> 0);
  }
  kWrite(k: number, mant: number): void {
    this.bus.write(VC_REG.K, ((k << 16) | mant) >>> 0);
  }
  clipTopWrite(k: number, top: number): void {
    this.wWrite(VC_W_MAP.clipTops + k, top);
  }
  parWrite(sel: 0 | 1, value: number): void {
    this.bus.write(VC_REG.PAR, ((sel << 16) | value) >>> 0);
  }
  bankWrite(bank: number, word: number, value: number): void {
    const v = BigInt(value);
    this.bus.write(VC_REG.BADDR, (bank << 8) | word);
    this.bus.write(VC_REG.BLO, Number(BigInt.asUintN(32, v)));
    this.bus.write(VC_REG.BHI, Number(BigInt.asUintN(32, v >> 32n)));
  }
  bankRead(bank: number, word: number): number {
    this.bus.write(VC_REG.BADDR, (bank << 8) | word);
    const lo = this.bus.read(VC_REG.BLO) >>> 0;
    const hi = this.bus.read(VC_REG.BHI) | 0;
    return hi * 2 ** 32 + lo;
  }
  wWrite(addr: number, value: number): void {
    this.bus.write(VC_REG.WADDR, addr);
    this.bus.write(VC_REG.WDATA, value >>> 0);
  }
  wRead(addr: number): number {
    this.bus.write(VC_REG.WADDR, addr);
    return this.bus.read(VC_REG.WDATA) | 0;
  }
  knotWrite(i: number, word: number): void {
    this.wWrite(VC_W_MAP.knots + i, word);
  }
  satWrite(value: number): void {
    this.bus.write(VC_REG.SAT, value >>> 0);
  }
  satRead(): number {
    return this.bus.read(VC_REG.SAT) >>> 0;
  }
  run(pc: number, learn: boolean): void {
    this.bus.write(VC_REG.RUN, ((learn ? 1 << 16 : 0) | pc) >>> 0);
    for (let n = 0; n < this.maxPolls; n++) {
      const s = this.bus.read(VC_REG.STATUS);
      if (s & VC_STATUS.trap) throw new Error(`vector core: trapped at pc ${(s >>> 16) & 0x3ff} (a run from pc ${pc})`);
      if (s & VC_STATUS.done) return;
    }
    throw new Error(`vector core: no halt after ${this.maxPolls} status reads (a run from pc ${pc})`);
  }
}
