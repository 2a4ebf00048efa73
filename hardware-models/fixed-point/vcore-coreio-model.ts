import type { MachinePort } from './vcore-machine-port.js';
import { VC_REG, VC_STATUS, type MmioBus } from './vcore-mmio.js';

/**
 * gateware/vcore/vcore_coreio.v as a model (the firmware's register window; test/fixed-point/vcore-coreio.test.ts proves the RTL loads what it loads): the register window decoded onto a modelled core (MachinePort), each
 * store doing what the RTL's pulse does: BLO sets bits 31..0 of the bank word at BADDR, BHI bits 41..32 (the RTL's
 * lanes; a bank narrower than 42 bits keeps its low bits there, the model the 42-bit word: the drivers write words
 * that fit their banks, BLO then BHI). A run completes inside the RUN store, so STATUS reads done at once.
 */
export class CoreioModel implements MmioBus {
  private baddr = 0;
  private waddr = 0;
  private halted = false;

  constructor(
    private readonly port: MachinePort,
    private readonly waw = 14,
  ) {}

  write(idx: number, v: number): void {
    const p = this.port;
    switch (idx) {
      case VC_REG.PROG: return p.progWrite(v >>> 16, v & 0xffff);
      case VC_REG.K: return p.kWrite((v >>> 16) & 15, v & 0x7fff);
      case VC_REG.PAR: return p.parWrite(((v >>> 16) & 1) as 0 | 1, v & 0xffff);
      case VC_REG.BADDR: this.baddr = v & 0x7ff; return;
      case VC_REG.BLO: return this.lane(BigInt(v >>> 0), 0xffffffffn);
      case VC_REG.BHI: return this.lane(BigInt(v & 0x3ff) << 32n, 0x3ff00000000n);
      case VC_REG.WADDR: this.waddr = v & ((1 << this.waw) - 1); return;
      case VC_REG.WDATA: return this.wStore(v | 0);
      case VC_REG.SAT: return p.satWrite(v >>> 0);
      case VC_REG.RUN:
        this.halted = false;
        p.run(v & 0x3ff, ((v >>> 16) & 1) === 1);
        this.halted = true;
        return;
      default: throw new Error(`vcore_coreio: no register ${idx} to write`);
    }
  }

  read(idx: number): number {
    const p = this.port;
    switch (idx) {
      case VC_REG.BLO: return Number(BigInt.asUintN(32, BigInt(this.bank())));
      case VC_REG.BHI: return Number(BigInt.asUintN(32, BigInt(this.bank()) >> 32n));
      case VC_REG.WDATA: return this.wLoad() >>> 0;
      case VC_REG.SAT: return p.satRead() >>> 0;
      case VC_REG.STATUS: return this.halted ? VC_STATUS.done : 0;
      default: return 0;
    }
  }

  private bank(): number {
    return this.port.bankRead(this.baddr >> 8, this.baddr & 0xff);
  }
  /** The bank word at BADDR with the bits of `mask` replaced by `bits` (42 bits, stored signed). */
  private lane(bits: bigint, mask: bigint): void {
    const old = BigInt.asUintN(42, BigInt(this.bank()));
    this.port.bankWrite(this.baddr >> 8, this.baddr & 0xff, Number(BigInt.asIntN(42, (old & ~mask) | bits)));
  }
  /** The W port's map (vcore.v): W and W0 below the knot words, the knot words at 8192, the clip tops at 16352. */
  private wStore(v: number): void {
    if (this.waddr >= 16352) this.port.clipTopWrite(this.waddr - 16352, v);
    else if (this.waddr >= 8192) this.port.knotWrite(this.waddr - 8192, v >>> 0);
    else this.port.wWrite(this.waddr, v);
  }
  private wLoad(): number {
    if (this.waddr >= 8192) throw new Error(`vcore_coreio model: reading W word ${this.waddr} (knots and clip tops are write-only here)`);
    return this.port.wRead(this.waddr);
  }
}

/** Records every access on a bus as vcore_coreio_tb.cpp replays it: stores, loads with their value, STATUS polls. */
export class RecordingBus implements MmioBus {
  readonly lines: string[] = [];
  constructor(private readonly inner: MmioBus) {}
  write(idx: number, v: number): void {
    this.lines.push(`w ${idx.toString(16)} ${(v >>> 0).toString(16)}`);
    this.inner.write(idx, v);
  }
  read(idx: number): number {
    const v = this.inner.read(idx) >>> 0;
    this.lines.push(idx === VC_REG.STATUS ? 'p' : `r ${idx.toString(16)} ${v.toString(16)}`);
    return v;
  }
}
