import { crc32 } from '../../core/crc32.js';

/**
 * What gateware/nla_core.v holds once it has installed a board image (docs/protocol.md section 10), and
 * what it answers for an image it refuses: the model of the core's loader (the former RTL loader gateware/nla_core_load.vh, now the firmware's image_install.c),
 * written so that firmware (gateware/firmware/image_install.c) can take the loader's place.
 *
 * The RTL loader reads the staged bytes twice. Pass 1 checks every field, in file order, and keeps only
 * what the checks need (counts, and per population kind, size, offset and fan-in); pass 2 runs only once
 * the whole image passed, reads the records again from byte 12 and writes the installed state:
 *
 *   registers  a_steps, a_iters, a_relax, a_beta, a_nin, a_nst, a_nn, a_no, a_nproj, a_crc, a_nsyn, and
 *              per projection j the flags j_pre[j], j_pg[j], j_lrn[j] (widths in INSTALL_REGISTERS)
 *   nla_wmem   (32-bit words, 16K) W at wb + i and W0 at 4096 + wb + i for weight i of a projection whose
 *              first register is wb (the weights of the projections before it); the activation tables of
 *              the k-th table population at 8192 + 1024 k + t (t < 771: rho, rho', rho'' of 257 knots)
 *   aw_mem     (64-bit words) the projection record j at B2 + j, the population record p at
 *              B2 + MAX_PROJ + p (field layouts: recordWord, populationWord)
 *   fb_mem     (24-bit words) the output map at FO + k (the neuron of output k), the population of each
 *              neuron u at B2 + u, of each input unit i at B2 + B1 + i (bit 23: a bias unit)
 *
 * B1 = MAX_NEURONS, B2 = 2 MAX_NEURONS, FO = MAX_INPUTS + MAX_OUTPUTS. After pass 2 the core rests
 * (REST, then EACT: u, the traces and the accumulators cleared, bias inputs to 1.0) and only then raises
 * image_loaded and answers result 0; that part stays in the core and is not modelled here.
 *
 * A refused image leaves the installed state as it was; the answer is the result code (1 BAD_IMAGE,
 * 2 CAPACITY) and a byte offset chosen as the RTL chooses it (fail(code, F_*) in nla_core_load.vh):
 * the start of the field being checked (F_FS), the read position (F_POS: after a string's length byte,
 * after the last record), 0, 4 or 8, the trailer (F_BE), or the last whole weight before the trailer
 * (F_JW). The checks go beyond image-codec.ts (table values within Q3.16, clip topQ >= 0,
 * etaDtQ24 < 2^24) and add the limits of the build: an image larger than the staging memory (CAPACITY,
 * offset 8), nOutputs, nPopulations, nProjections, table populations at their field (CAPACITY at once),
 * the capacity of 6.3 after the whole image (CAPACITY, offset 0). The order is the RTL's, not the codec's:
 * magic, version, totalBytes and the CRC first, then the fields in file order, fan-in and the end of the
 * records after the last projection, the capacity last.
 *
 * Not every bit of a population record is defined: the clip top (bits 44:24) is written only for a clip
 * population and the table slot (bits 47 and up) only for a table population; for the others the RTL
 * writes whatever its registers held (the previous population's, or the previous image's). The datapath
 * reads them only for those activations, so `care` leaves them out (the firmware writes 0 there).
 */

/** The parameters of an nla_core build (its Verilog parameters; defaults as in nla_core.v and board_top.v). */
export interface CoreParams {
  MAX_NEURONS: number;
  MAX_INPUTS: number;
  MAX_OUTPUTS: number;
  MAX_SYNAPSES: number;
  MAX_POPS: number;
  MAX_PROJ: number;
  MAX_TABLES: number;
  IMG_BYTES: number;
  MAX_PAYLOAD: number;
}

export const CORE_PARAMS: CoreParams = { MAX_NEURONS: 64, MAX_INPUTS: 32, MAX_OUTPUTS: 16, MAX_SYNAPSES: 4096, MAX_POPS: 8, MAX_PROJ: 8, MAX_TABLES: 4, IMG_BYTES: 32768, MAX_PAYLOAD: 1024 };

const clog2 = (x: number) => Math.ceil(Math.log2(x));
const bits = (max: number) => (max > 1 ? clog2(max) : 1);

/** The derived widths and addresses of nla_core.v (its localparams). */
export function coreLayout(p: CoreParams = CORE_PARAMS) {
  const NB = bits(p.MAX_NEURONS), IB = bits(p.MAX_INPUTS), OB = bits(p.MAX_OUTPUTS), PB = bits(p.MAX_POPS), JB = bits(p.MAX_PROJ), TB = bits(p.MAX_TABLES);
  const SB = clog2(p.MAX_SYNAPSES);
  const EW = Math.max(SB, NB) + 1;
  const AW = clog2(2 * p.MAX_NEURONS + p.MAX_INPUTS + p.MAX_PROJ + 2 * p.MAX_POPS);
  const B1 = p.MAX_NEURONS, B2 = 2 * p.MAX_NEURONS, FO = p.MAX_INPUTS + p.MAX_OUTPUTS;
  // projection record fields (bit positions): pre offset, post offset, rows, cols, first weight, eta
  const RQ = 0, RP = NB, RR = 2 * NB, RC = 3 * NB + 1, RW = 4 * NB + 2, RE = 4 * NB + 2 + SB;
  return { NB, IB, OB, PB, JB, TB, SB, EW, AW, AD: 1 << AW, B1, B2, FO, W0BASE: 4096, TBASE: 8192, REC: B2, POP: B2 + p.MAX_PROJ, RQ, RP, RR, RC, RW, RE };
}
export type CoreLayout = ReturnType<typeof coreLayout>;

/** The installed registers: name -> width in bits (the j_* flags: one bit per projection, bit j of the value). */
export function installRegisters(p: CoreParams = CORE_PARAMS): Record<string, number> {
  const L = coreLayout(p);
  return { a_steps: 16, a_iters: 16, a_relax: 4, a_beta: 24, a_nin: L.IB + 1, a_nst: L.IB + 1, a_nn: L.NB + 1, a_no: L.OB + 1, a_nproj: L.JB + 1, a_crc: 32, a_nsyn: L.EW, j_pre: p.MAX_PROJ, j_pg: p.MAX_PROJ, j_lrn: p.MAX_PROJ };
}

/** A region of one of the core's memories that the loader writes: words from `base` on. */
export interface InstallRegion {
  mem: 'wmem' | 'aw_mem' | 'fb_mem';
  base: number;
  width: number;
  words: bigint[];
  /** Per word, the bits that are defined (the RTL leaves the others as they were; the datapath never reads them). */
  care: bigint[];
}

export interface CoreInstall {
  /** 0 installed, 1 BAD_IMAGE, 2 CAPACITY (the session's codes). */
  result: 0 | 1 | 2;
  /** The refused byte (16 bits, as img_err_offset); 0 when installed. */
  errOffset: number;
  /** Installed: W, W0, table<k>, rec, pop, omap, npn (neurons' populations), npi (input units'); {} when refused. */
  memories: Record<string, InstallRegion>;
  /** Installed: installRegisters(); {} when refused. */
  registers: Record<string, number>;
}

/** One write of the raw port: memory, address, value (the defined bits `care`). */
export interface RawWrite {
  mem: 'wmem' | 'aw_mem' | 'fb_mem';
  addr: number;
  value: bigint;
  care: bigint;
}

/** The memory writes of an installed image, address by address, in region order. */
export function installWrites(r: CoreInstall): RawWrite[] {
  const out: RawWrite[] = [];
  for (const m of Object.values(r.memories)) m.words.forEach((v, i) => out.push({ mem: m.mem, addr: m.base + i, value: v, care: m.care[i]! }));
  return out;
}

class Refuse {
  constructor(
    readonly code: 1 | 2,
    readonly offset: number,
  ) {}
}

const mask = (n: number) => (1n << BigInt(n)) - 1n;
const gt = (x: number, c: number) => x > c;

/**
 * The loader of nla_core (the former nla_core_load.vh; the firmware's image_install.c) on `bytes` as staged and committed (img_total = bytes.length),
 * for a core built with `params`: the installed state, or the refusal and its byte offset.
 */
export function coreInstall(bytes: Uint8Array, params: CoreParams = CORE_PARAMS): CoreInstall {
  const P = params, L = coreLayout(P);
  const total = bytes.length & 0x1ffff;
  const bodyEnd = (total - 4) & 0x1ffff;
  let pos = 0, chk = true;
  const fail = (code: 1 | 2, offset: number): never => {
    throw new Refuse(code, offset & 0xffff);
  };
  const byte = (a: number) => (a < P.IMG_BYTES && a < bytes.length ? bytes[a]! : 0);
  // rd: n bytes little-endian at pos; with chk a byte at or past the trailer refuses the field (F_FS)
  let fstart = 0;
  const rd = (n: number): number => {
    fstart = pos;
    let v = 0;
    for (let k = 0; k < n; k++) {
      if (chk && pos >= bodyEnd) fail(1, fstart);
      v += byte(pos) * 2 ** (8 * k);
      pos++;
    }
    return v;
  };
  const str = () => {
    const n = rd(1);
    if (pos + n > bodyEnd) fail(1, pos); // F_POS: the byte after the length
    pos += n;
  };
  // the population record fields that the RTL keeps in registers across records (and passes)
  let cpTop = 0, cpTab = 0;
  const regs: Record<string, number> = {};
  const mem: Record<string, InstallRegion> = {};
  const region = (name: string, m: InstallRegion['mem'], base: number, width: number): InstallRegion => (mem[name] = { mem: m, base, width, words: [], care: [] });
  try {
    if (!gt(total, 47)) fail(1, 0);
    if (gt(total, P.IMG_BYTES)) fail(2, 8);
    if (rd(4) !== 0x49414c4e) fail(1, 0);
    if (rd(2) !== 1) fail(1, 4);
    rd(2);
    if (rd(4) !== total) fail(1, 8);
    const crc = crc32(bytes, 0, bodyEnd);
    pos = bodyEnd;
    chk = false;
    if (rd(4) !== crc) fail(1, bodyEnd);
    chk = true;
    for (const inst of [false, true]) {
      pos = 12;
      const R = (name: string, v: number) => {
        if (inst) regs[name] = v;
      };
      if (rd(4) === 0) fail(1, fstart); // dtNs
      const spf = rd(2);
      if (spf === 0) fail(1, fstart);
      R('a_steps', spf);
      const it = rd(2);
      if (it === 0) fail(1, fstart);
      R('a_iters', it);
      const rs = rd(1);
      if (rs > 15) fail(1, fstart);
      R('a_relax', rs & 15);
      rd(1);
      const beta = rd(4);
      if (beta >= 2 ** 24) fail(1, fstart);
      R('a_beta', beta);
      const nin = rd(2);
      R('a_nin', nin & Number(mask(L.IB + 1)));
      const nst = rd(2);
      R('a_nst', nst & Number(mask(L.IB + 1)));
      const nn = rd(2);
      if (nn === 0) fail(1, fstart);
      R('a_nn', nn & Number(mask(L.NB + 1)));
      const no = rd(2);
      if (no === 0 || no > nn) fail(1, fstart);
      if (gt(no, P.MAX_OUTPUTS)) fail(2, fstart);
      R('a_no', no & Number(mask(L.OB + 1)));
      const npop = rd(2);
      if (npop === 0 || npop > 1024) fail(1, fstart);
      if (gt(npop, P.MAX_POPS)) fail(2, fstart);
      const nproj = rd(2);
      if (gt(nproj, P.MAX_PROJ)) fail(2, fstart);
      R('a_nproj', nproj & Number(mask(L.JB + 1)));
      str();
      // ---- populations: kind, size, offset (contiguous per vector), decay, activation
      const pops: Array<{ kind: number; size: number; off: number; fan: number }> = [];
      let cntIn = 0, cntN = 0, cntSt = 0, ntab = 0;
      if (inst) {
        region('pop', 'aw_mem', L.POP, 64);
      }
      for (let k = 0; k < npop; k++) {
        const kind = rd(1);
        if (kind > 3) fail(1, fstart);
        const size = rd(2);
        if (size === 0) fail(1, fstart);
        const off = rd(2);
        if (off !== (kind <= 1 ? cntIn : cntN)) fail(1, fstart);
        pops.push({ kind, size, off, fan: 0 });
        if (kind <= 1) cntIn = (cntIn + size) & 0x1ffff;
        else cntN = (cntN + size) & 0x1ffff;
        if (kind === 0) cntSt = (cntSt + size) & 0x1ffff;
        const dec = rd(4);
        if (dec >= 2 ** 24) fail(1, fstart);
        const act = rd(1);
        if (act > 2) fail(1, fstart);
        if (kind <= 1 && act !== 0) fail(1, fstart);
        if (act === 1) {
          const top = rd(4);
          if (top >= 2 ** 31) fail(1, fstart);
          cpTop = top > 524288 ? 524288 : top;
        }
        str(); // activation 2: the table's source; else the name
        if (act === 2) {
          if (ntab === P.MAX_TABLES) fail(2, pos);
          cpTab = ntab++;
          const t = inst ? region(`table${cpTab}`, 'wmem', L.TBASE + 1024 * cpTab, 32) : null;
          for (let ti = 0; ti < 771; ti++) {
            const v = rd(4);
            const hi = v >>> 19;
            if (hi !== 0 && hi !== 0x1fff) fail(1, fstart); // outside Q3.16
            t?.words.push(BigInt(v));
            t?.care.push(mask(32));
          }
          str(); // the name
        }
        if (inst) {
          const m = mem.pop!;
          m.words.push(populationWord(L, { dec, top: cpTop, act, tab: cpTab }));
          m.care.push(mask(24) | (act === 1 ? mask(21) << 24n : 0n) | (3n << 45n) | (act === 2 ? mask(L.TB) << 47n : 0n));
        }
      }
      if (cntIn !== nin || cntN !== nn || cntSt !== nst) fail(1, pos);
      // ---- outputs: each a neuron of an output population
      const omap = inst ? region('omap', 'fb_mem', L.FO, 24) : null;
      for (let k = 0; k < no; k++) {
        const o = rd(2);
        const ok = pops.some((q) => q.kind === 3 && o >= q.off && o - q.off < q.size);
        if (o >= nn || !ok) fail(1, fstart);
        omap?.words.push(BigInt(o & Number(mask(L.NB))));
        omap?.care.push(mask(24));
      }
      // ---- projections
      let syn = 0;
      const jp = { j_pre: 0, j_pg: 0, j_lrn: 0 };
      if (inst) {
        region('rec', 'aw_mem', L.REC, 64);
        region('W', 'wmem', 0, 32);
        region('W0', 'wmem', L.W0BASE, 32);
      }
      for (let k = 0; k < nproj; k++) {
        const pre = rd(1);
        if (pre > 1) fail(1, fstart);
        const prePop = rd(2);
        if (prePop >= npop) fail(1, fstart);
        const qp = pops[prePop]!;
        if ((qp.kind <= 1) !== (pre === 0)) fail(1, fstart);
        const postPop = rd(2);
        if (postPop >= npop) fail(1, fstart);
        const pp = pops[postPop]!;
        if (pp.kind <= 1) fail(1, fstart);
        if (rd(2) !== pp.size) fail(1, fstart);
        if (rd(2) !== qp.size) fail(1, fstart);
        const eta = rd(4);
        if (eta >= 2 ** 24) fail(1, fstart);
        str();
        const rc = pp.size * qp.size;
        const wend = pos + (rc & 0xffff) * 4;
        if (rc >= 32768 || wend > bodyEnd) fail(1, (pos + ((bodyEnd - pos) & ~3)) & 0x1ffff);
        if (!inst) {
          pp.fan = (pp.fan + qp.size) & 0x1ffff;
          pos = wend;
        } else {
          mem.rec!.words.push(recordWord(L, { qo: qp.off, po: pp.off, rows: pp.size, cols: qp.size, wb: syn, eta }));
          mem.rec!.care.push(mask(64));
          if (pre & 1) jp.j_pre |= 1 << k;
          if (qp.kind === 0) jp.j_pg |= 1 << k;
          if (eta !== 0) jp.j_lrn |= 1 << k;
          for (let i = 0; i < rc; i++) {
            const w = BigInt(rd(4));
            mem.W!.words.push(w);
            mem.W!.care.push(mask(32));
            mem.W0!.words.push(w);
            mem.W0!.care.push(mask(32));
          }
        }
        syn = (syn + (rc & 0x1ffff)) & 0x1ffff;
      }
      for (const q of pops) if (q.fan > 1024) fail(1, pos);
      if (pos !== bodyEnd) fail(1, pos);
      // ---- capacity (6.3)
      const payq = P.MAX_PAYLOAD >= 10 ? Math.floor((P.MAX_PAYLOAD - 10) / 3) : 0;
      if (gt(nn, P.MAX_NEURONS) || gt(syn, P.MAX_SYNAPSES) || gt(nin, P.MAX_INPUTS) || gt(no, P.MAX_OUTPUTS) || P.MAX_PAYLOAD < 10 || gt(nst, payq)) fail(2, 0);
      if (inst) {
        regs.a_crc = crc;
        regs.a_nsyn = syn & Number(mask(L.EW));
        Object.assign(regs, jp);
        // the unit -> population maps: neurons at B2 + u, input units at B2 + B1 + i (bit 23: bias)
        const npn = region('npn', 'fb_mem', L.B2, 24);
        const npi = region('npi', 'fb_mem', L.B2 + L.B1, 24);
        for (let k = 0; k < npop; k++) {
          const q = pops[k]!;
          const m = q.kind >= 2 ? npn : npi;
          for (let u = 0; u < q.size; u++) {
            m.words[q.off + u] = BigInt(k) | (q.kind === 1 ? 1n << 23n : 0n);
            m.care[q.off + u] = mask(24);
          }
        }
      }
    }
  } catch (e) {
    if (e instanceof Refuse) return { result: e.code, errOffset: e.offset, memories: {}, registers: {} };
    throw e;
  }
  return { result: 0, errOffset: 0, memories: mem, registers: regs };
}

/** A population record word in aw_mem: {table slot TB bits @47, activation 2 @45, clip top 21 @24, decayQ24 24 @0}. */
export function populationWord(_L: CoreLayout, f: { dec: number; top: number; act: number; tab: number }): bigint {
  return (BigInt(f.tab) << 47n) | (BigInt(f.act) << 45n) | (BigInt(f.top & 0x1fffff) << 24n) | BigInt(f.dec);
}

/** A projection record word in aw_mem: {eta 24 @RE, first weight SB @RW, cols NB+1 @RC, rows NB+1 @RR, post offset NB @RP, pre offset NB @RQ}. */
export function recordWord(L: CoreLayout, f: { qo: number; po: number; rows: number; cols: number; wb: number; eta: number }): bigint {
  const m = (v: number, n: number) => BigInt(v) & mask(n);
  return (m(f.eta, 24) << BigInt(L.RE)) | (m(f.wb, L.SB) << BigInt(L.RW)) | (m(f.cols, L.NB + 1) << BigInt(L.RC)) | (m(f.rows, L.NB + 1) << BigInt(L.RR)) | (m(f.po, L.NB) << BigInt(L.RP)) | (m(f.qo, L.NB) << BigInt(L.RQ));
}
