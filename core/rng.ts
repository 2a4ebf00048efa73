import * as libm from './libm.js';
/**
 * Seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 *
 * Every random draw in the toolkit comes from one of these, created from a seed that is recorded in the
 * output (spec `seed`, run summaries). The same seed gives the same sequence on every platform: the
 * generator uses only 32-bit integer arithmetic (`Math.imul`, `>>>`), never `Math.random`, and the normal draws'
 * log, sin and cos come from core/libm.ts (bit-identical in every JavaScript engine), not from `Math`.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second Box–Muller deviate, kept so that `normal()` uses every uniform pair fully. */
  private spare: number | null = null;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed: expected a non-negative integer, got ${seed}`);
    let x = seed >>> 0;
    let hi = Math.floor(seed / 2 ** 32) >>> 0;
    const next = (): number => {
      // splitmix32: mixes the seed (both 32-bit halves) into well-spread initial state words.
      x = (x + 0x9e3779b9) | 0;
      let z = x ^ hi;
      hi = (hi + 0x6d2b79f5) | 0;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * libm.log(u));
    this.spare = radius * libm.sin(2 * Math.PI * v);
    return radius * libm.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A generator for a named sub-stream: independent of the order in which other streams are drawn. */
  fork(label: string): Rng {
    let h = 2166136261;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
    return new Rng((this.seed * 2654435761 + (h >>> 0)) % 2 ** 52);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
