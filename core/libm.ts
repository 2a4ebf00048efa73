/**
 * Deterministic elementary functions: `exp`, `expm1`, `log`, `log1p`, `sin`, `cos`, `tanh`, `hypot`, written in
 * plain IEEE-754 double arithmetic (+ − × ÷ and exact bit manipulation) so that every conforming JavaScript
 * engine returns the same bits for the same argument.
 *
 * Why: ECMAScript specifies `Math.exp`, `Math.log`, `Math.sin`, `Math.cos`, `Math.tanh`, `Math.hypot`, … only as
 * "implementation-approximated"; engines and engine versions differ in the last bit (Chromium 156's V8 and
 * Node 20's V8 11.3 disagree on about 10 % of `exp` arguments). The toolkit promises identical runs of the
 * digital engine and of the seeded draws in Node and in the browser and across Node versions, so everything on
 * those paths calls this module instead of `Math`. `Math.sqrt`, `Math.abs`, `Math.floor`, `Math.round`,
 * `Math.fround`, `Math.min`/`max` are exact by specification and stay.
 *
 * Method: the classic argument reduction + minimax polynomial of Sun's fdlibm / FreeBSD msun (the algorithms
 * re-written here for JavaScript; the published polynomial coefficients are used as they are). Because V8's
 * own `ieee754` functions derive from the same algorithms, Node 20 gives the same bits as this module for
 * `Math.exp`/`log`/`sin`/`cos` (measured in test/core/libm.test.ts), so switching changes no value there.
 * `tanh` is more accurate than fdlibm's (a series below |x| = 0.55) and differs from Node's in the last bit for a few
 * per cent of arguments. Every result of `exp`, `expm1`, `log`, `log1p`, `sin`, `cos` and `tanh` is within 1 ulp of
 * the correctly rounded value (tested against 60-digit known answers computed outside JavaScript; most are
 * correctly rounded); `hypot` is checked against `Math.hypot` only.
 * sin/cos reduce |x| ≤ 2^19·π/2 with Cody–Waite (π/2 in three 33-bit pieces, exact products) and larger
 * arguments with Payne–Hanek (1584 bits of 2/π), so the reduction is exact over the whole double range.
 */

// ---- exact bit access (little- or big-endian hosts) -------------------------------------------------------

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);
const HI = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f ? 1 : 0;
const LO = 1 - HI;

/** The high 32 bits (sign, exponent, top 20 mantissa bits) of a double, as a signed int32. */
function highWord(x: number): number {
  F64[0] = x;
  return I32[HI]!;
}

/** The low 32 bits of a double's mantissa, as a signed int32. */
function lowWord(x: number): number {
  F64[0] = x;
  return I32[LO]!;
}

/** The double whose high and low 32-bit words are `hi` and `lo`. */
function fromWords(hi: number, lo: number): number {
  I32[HI] = hi;
  I32[LO] = lo;
  return F64[0]!;
}

/** 2^k exactly for integer k in [-1074, 1023], from a table built with exact bit patterns. */
const POW2 = new Float64Array(1074 + 1024);
for (let k = -1074; k <= 1023; k++) POW2[k + 1074] = k >= -1022 ? fromWords((k + 1023) << 20, 0) : k >= -1042 ? fromWords(0x80000 >>> (-1023 - k), 0) : fromWords(0, 1 << (k + 1074));

/** x · 2^n, exact while the result is normal (the only case the reductions here need). */
function scalbn(x: number, n: number): number {
  while (n > 1023) {
    x *= POW2[1023 + 1074]!;
    n -= 1023;
  }
  while (n < -1022) {
    x *= POW2[-1022 + 1074]!;
    n += 1022;
  }
  return x * POW2[n + 1074]!;
}

// ---- exp, expm1 ---------------------------------------------------------------------------------------------

const LN2_HI = 6.93147180369123816490e-1; // 0x3fe62e42 fee00000: 33 bits, k·LN2_HI exact for |k| < 2^20
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const INV_LN2 = 1.44269504088896338700e0; // 0x3ff71547 652b82fe
const EXP_OVERFLOW = 7.09782712893383973096e2; // 0x40862e42 fefa39ef: above, exp(x) > max double
const EXP_UNDERFLOW = -7.45133219101941108420e2; // 0xc0874910 d52d3051: below, exp(x) < min subnormal / 2
const HALF_LN2 = fromWords(0x3fd62e43, 0); // thresholds of the reductions, as in msun (high-word tests)
const THREE_HALF_LN2 = fromWords(0x3ff0a2b2, 0);
const TWO_M28 = fromWords(0x3e300000, 0);
const TWO_M1000 = 9.33263618503218878990e-302; // 2^-1000
// exp: minimax polynomial for R(r²) ≈ r·(e^r + 1)/(e^r − 1) − 2 on |r| ≤ ln2/2 (error < 2^-59)
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;

/** e^x with error < 1 ulp; exp(±0) = 1, exp(+∞) = +∞, exp(−∞) = +0, NaN → NaN, overflow → +∞, underflow → +0. */
export function exp(x: number): number {
  const ax = x < 0 ? -x : x;
  if (!(ax < EXP_OVERFLOW)) {
    if (x !== x) return x;
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < EXP_UNDERFLOW) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax >= HALF_LN2) {
    if (ax < THREE_HALF_LN2) {
      if (x > 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = (INV_LN2 * x + (x < 0 ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI; // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < TWO_M28) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * POW2[1023 + 1074]! : y * POW2[k + 1074]!;
  return y * POW2[k + 1000 + 1074]! * TWO_M1000;
}

const FIFTY_SIX_LN2 = fromWords(0x4043687a, 0);
const TWO_M54 = fromWords(0x3c900000, 0);
// expm1: scaled minimax coefficients for R(hxs) with hxs = x²/2 on |x| ≤ ln2/2
const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;

/** e^x − 1 with error < 1 ulp, accurate near 0 (expm1(±0) = ±0, expm1(−∞) = −1). */
export function expm1(x: number): number {
  const ax = x < 0 ? -x : x;
  if (!(ax < FIFTY_SIX_LN2)) {
    if (x !== x) return x;
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < 0) return -1;
  }
  let k = 0;
  let c = 0;
  if (ax >= HALF_LN2) {
    let hi: number;
    let lo: number;
    if (ax < THREE_HALF_LN2) {
      if (x > 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = (INV_LN2 * x + (x < 0 ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (ax < TWO_M54) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  const e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs);
  return expm1Scale(x, e, c, hxs, k);
}

/** expm1's reconstruction 2^k·(1 + r + …) − 1 from the reduced argument (split out to keep expm1 short). */
function expm1Scale(x: number, e: number, c: number, hxs: number, k: number): number {
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  if (k <= -2 || k > 56) {
    const y = 1 - (e - x);
    return (k === 1024 ? y * 2 * POW2[1023 + 1074]! : y * POW2[k + 1074]!) - 1;
  }
  if (k < 20) return (fromWords(0x3ff00000 - (0x200000 >> k), 0) - (e - x)) * POW2[k + 1074]!; // (1 − 2^-k) − …
  return (x - (e + POW2[-k + 1074]!) + 1) * POW2[k + 1074]!;
}

// ---- log, log1p ---------------------------------------------------------------------------------------------

const TWO54 = 1.8014398509481984e16;
// log: minimax polynomial for R(s) ≈ (log((1+s)/(1−s)) − 2s)/s on s² ≤ 0.0295 (error < 2^-58.45)
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm with error < 1 ulp; log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞, log(1) = +0. */
export function log(x: number): number {
  let hx = highWord(x);
  const lx = lowWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54; // subnormal: scale up
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = fromWords(hx | (i ^ 0x3ff00000), lowWord(x)); // x or x/2 into [√2/2, √2)
  k += i >> 20;
  const f = x - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // −2^-20 ≤ f < 2^-20
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : dk * LN2_HI - (r - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - r) : dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}

/** log(1 + x) with error < 1 ulp, accurate near 0; log1p(−1) = −∞, log1p(x < −1) = NaN, log1p(±0) = ±0. */
export function log1p(x: number): number {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let hu = 0;
  let c = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < √2
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN;
    if (ax < 0x3e200000) return ax < 0x3c900000 ? x : x - x * x * 0.5; // |x| < 2^-29
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      k = 0; // √2/2 ≤ 1 + x < √2
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1 - (u - x) : x - (u - 1); // the rounding error of 1 + x
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = fromWords(hu | 0x3ff00000, lowWord(u)); // u ~< √2
    } else {
      k += 1;
      u = fromWords(hu | 0x3fe00000, lowWord(u)); // u/2
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  return log1pTail(f, k, c, hu);
}

/** log1p's polynomial part on the reduced f = u − 1 (u ∈ [√2/2, √2)), k the power of 2 and c the correction. */
function log1pTail(f: number, k: number, c: number, hu: number): number {
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + (c + k * LN2_LO);
    const r = hfsq * (1 - 0.66666666666666666 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - (k * LN2_LO + c) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - (hfsq - (s * (hfsq + r) + (k * LN2_LO + c)) - f);
}

// ---- tanh, hypot --------------------------------------------------------------------------------------------

const TWENTY_TWO = fromWords(0x40360000, 0);
/**
 * tanh x = x + x³·Σ T[n]·x^(2n) on |x| < 0.55: the Taylor coefficients 2^(2k)(2^(2k) − 1)B_(2k)/(2k)! for
 * x³ … x³⁷, rounded to doubles; the first omitted term is below 2^-56 of tanh x there. (fdlibm's −t/(t + 2) with
 * t = expm1(−2|x|) passes expm1's rounding error straight through and reaches 1.7 ulp near x = 0.35.)
 */
const TANH_T = Float64Array.of(
  -0.3333333333333333,
  0.13333333333333333,
  -0.05396825396825397,
  0.021869488536155203,
  -0.008863235529902197,
  0.003592128036572481,
  -0.0014558343870513183,
  0.000590027440945586,
  -0.00023912911424355248,
  9.691537956929451e-05,
  -3.927832388331683e-05,
  1.5918905069328964e-05,
  -6.451689215655431e-06,
  2.6147711512907546e-06,
  -1.0597268320104654e-06,
  4.294911078273806e-07,
  -1.7406618963571648e-07,
  7.054636946400968e-08,
);
const TANH_SERIES_MAX = 0.55;

/** Hyperbolic tangent within 1 ulp of the correctly rounded value; tanh(±0) = ±0, tanh(±∞) = ±1, NaN → NaN. */
export function tanh(x: number): number {
  const ax = x < 0 ? -x : x;
  if (x !== x) return x;
  if (ax < TANH_SERIES_MAX) {
    if (ax < TWO_M28) return x;
    const z = x * x;
    let p = TANH_T[17]!;
    for (let i = 16; i >= 0; i--) p = TANH_T[i]! + z * p;
    return x + x * z * p;
  }
  const r = ax < TWENTY_TWO ? 1 - 2 / (expm1(2 * ax) + 2) : 1;
  return x < 0 ? -r : r;
}

/**
 * √(x² + y²) without undue overflow or underflow: both scaled by the larger magnitude, the squares summed with
 * Kahan compensation, as V8's `Math.hypot` does (so Node's values are kept). hypot(±∞, NaN) = +∞.
 */
export function hypot(x: number, y: number): number {
  const ax = x < 0 ? -x : x;
  const ay = y < 0 ? -y : y;
  if (ax === Infinity || ay === Infinity) return Infinity;
  if (ax !== ax || ay !== ay) return NaN;
  const max = ax > ay ? ax : ay;
  if (max === 0) return 0;
  const a = ax / max;
  const b = ay / max;
  let sum = 0;
  let comp = 0;
  let summand = a * a - comp;
  let prelim = sum + summand;
  comp = prelim - sum - summand;
  sum = prelim;
  summand = b * b - comp;
  prelim = sum + summand;
  sum = prelim;
  return Math.sqrt(sum) * max;
}

// ---- sin, cos -----------------------------------------------------------------------------------------------

// sin on [−π/4, π/4]: x + x³·(S1 + x²·R(x²)) (error < 2^-58)
const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;
// cos on [−π/4, π/4]: 1 − x²/2 + x⁴·C(x²) (error < 2^-58)
const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.08757232129817482790e-9;
const C6 = -1.13596475577881948265e-11;
const TWO_M27 = fromWords(0x3e400000, 0);
const PI_4 = fromWords(0x3fe921fb, 0xffffffff); // |x| ≤ this (high word ≤ 0x3fe921fb): no reduction

/** sin(x + y) for |x + y| ≤ π/4, y the tail of a reduced argument (`iy` 0: y is 0). */
function kernelSin(x: number, y: number, iy: number): number {
  if ((x < 0 ? -x : x) < TWO_M27) return x;
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

/** cos(x + y) for |x + y| ≤ π/4, y the tail of a reduced argument. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0); // x/4, truncated
  const hz = 0.5 * z - qx;
  return 1 - qx - (hz - (z * r - x * y));
}

/** sin(x) with error < 1 ulp for every double x; sin(±0) = ±0, sin(±∞) = NaN. */
export function sin(x: number): number {
  if ((x < 0 ? -x : x) <= PI_4) return kernelSin(x, 0, 0);
  if (!(x - x === 0)) return NaN;
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelSin(red0, red1, 1);
    case 1:
      return kernelCos(red0, red1);
    case 2:
      return -kernelSin(red0, red1, 1);
    default:
      return -kernelCos(red0, red1);
  }
}

/** cos(x) with error < 1 ulp for every double x; cos(±∞) = NaN. */
export function cos(x: number): number {
  if ((x < 0 ? -x : x) <= PI_4) return kernelCos(x, 0);
  if (!(x - x === 0)) return NaN;
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelCos(red0, red1);
    case 1:
      return -kernelSin(red0, red1, 1);
    case 2:
      return -kernelCos(red0, red1);
    default:
      return kernelSin(red0, red1, 1);
  }
}

// ---- argument reduction x − n·π/2 ---------------------------------------------------------------------------

/** The reduced argument r = red0 + red1 (|r| ≤ π/4, head and tail) that `remPio2` leaves. */
let red0 = 0;
let red1 = 0;

const INV_PIO2 = 6.36619772367581382433e-1; // 53 bits of 2/π
const PIO2_1 = 1.57079632673412561417e0; // first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.07710050630396597660e-11; // second 33 bits of π/2
const PIO2_2T = 2.02226624879595063154e-21; // π/2 − (PIO2_1 + PIO2_2)
const PIO2_3 = 2.02226624871116645580e-21; // third 33 bits of π/2
const PIO2_3T = 8.47842766036889956997e-32; // π/2 − (PIO2_1 + PIO2_2 + PIO2_3)
/** High words of n·π/2 for n = 1…32: a reduced argument there may cancel, so it takes the longer path. */
const NPIO2_HW = Int32Array.of(
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb,
  0x402c463a, 0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb,
  0x403ab41b, 0x403c463a, 0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c,
  0x4043a28c, 0x40446b9c, 0x404534ac, 0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
);

/** n with x = n·π/2 + r, |r| ≤ π/4 (about), r left in red0 + red1; x finite. */
function remPio2(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) return remPio2Near(x, hx > 0, ix); // |x| < 3π/4
  if (ix <= 0x413921fb) return remPio2Medium(x, hx, ix); // |x| ≤ 2^19·π/2: Cody–Waite
  return remPio2Large(x, hx, ix);
}

/** Reduction by ±π/2 (π/4 < |x| < 3π/4): one subtraction of 33 + 53 bits of π/2, 33 + 33 + 53 next to π/2. */
function remPio2Near(x: number, positive: boolean, ix: number): number {
  const s = positive ? 1 : -1;
  let z = x - s * PIO2_1;
  if (ix !== 0x3ff921fb) {
    red0 = z - s * PIO2_1T;
    red1 = z - red0 - s * PIO2_1T;
  } else {
    z -= s * PIO2_2;
    red0 = z - s * PIO2_2T;
    red1 = z - red0 - s * PIO2_2T;
  }
  return s;
}

/** Cody–Waite reduction for |x| ≤ 2^19·π/2: n·π/2 subtracted in up to three exact pieces (118 or 151 bits). */
function remPio2Medium(x: number, hx: number, ix: number): number {
  const t0 = x < 0 ? -x : x;
  const n = (t0 * INV_PIO2 + 0.5) | 0;
  const fn = n;
  let r = t0 - fn * PIO2_1; // exact
  let w = fn * PIO2_1T;
  if (n < 32 && ix !== NPIO2_HW[n - 1]) {
    red0 = r - w;
  } else {
    const j = ix >> 20;
    red0 = r - w;
    if (j - ((highWord(red0) >> 20) & 0x7ff) > 16) {
      // cancellation: second round, good to 118 bits
      let t = r;
      w = fn * PIO2_2;
      r = t - w;
      w = fn * PIO2_2T - (t - r - w);
      red0 = r - w;
      if (j - ((highWord(red0) >> 20) & 0x7ff) > 49) {
        // third round, 151 bits
        t = r;
        w = fn * PIO2_3;
        r = t - w;
        w = fn * PIO2_3T - (t - r - w);
        red0 = r - w;
      }
    }
  }
  red1 = r - red0 - w;
  if (hx < 0) {
    red0 = -red0;
    red1 = -red1;
    return -n;
  }
  return n;
}

const TWO24 = 16777216;
const TWON24 = 5.9604644775390625e-8;
/** 2/π in 24-bit chunks (1584 bits), for Payne–Hanek reduction of the largest arguments. */
const TWO_OVER_PI = Int32Array.of(
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7,
  0x246e3a, 0x424dd2, 0xe00649, 0x2eea09, 0xd1921c, 0xfe1deb, 0x1cb129, 0xa73ee8, 0x8235f5, 0x2ebb44, 0x84e99c,
  0x7026b4, 0x5f7e41, 0x3991d6, 0x398353, 0x39f49c, 0x845f8b, 0xbdf928, 0x3b1ff8, 0x97ffde, 0x05980f, 0xef2f11,
  0x8b5a0a, 0x6d1f6d, 0x367ecf, 0x27cb09, 0xb74f46, 0x3f669e, 0x5fea2d, 0x7527ba, 0xc7ebe5, 0xf17b3d, 0x0739f7,
  0x8a5292, 0xea6bfb, 0x5fb11f, 0x8d5d08, 0x560330, 0x46fc7b, 0x6babf0, 0xcfbc20, 0x9af436, 0x1da9e3, 0x91615e,
  0xe61b08, 0x659985, 0x5f14a0, 0x68408d, 0xffd880, 0x4d7327, 0x310606, 0x1556ca, 0x73a8c9, 0x60e27b, 0xc08c6b,
);
/** π/2 in 24-bit pieces (each exactly a double). */
const PIO2_PIECES = Float64Array.of(
  1.57079625129699707031e0, 7.54978941586159635335e-8, 5.39030252995776476554e-15, 3.28200341580791294123e-22,
  1.27065575308067607349e-29, 1.22933308981111328932e-36, 2.73370053816464559624e-44, 2.16741683877804819444e-51,
);
const TX = new Float64Array(3);

/** |x| > 2^19·π/2: x split into three 24-bit chunks, then reduced against 2/π by Payne–Hanek. */
function remPio2Large(x: number, hx: number, ix: number): number {
  const e0 = (ix >> 20) - 1046; // ilogb(|x|) − 23
  let z = fromWords(ix - (e0 << 20), lowWord(x)); // |x|·2^-e0 ∈ [2^23, 2^24)
  for (let i = 0; i < 2; i++) {
    TX[i] = z | 0;
    z = (z - TX[i]!) * TWO24;
  }
  TX[2] = z;
  let nx = 3;
  while (TX[nx - 1] === 0) nx--;
  const n = kernelRemPio2(TX, e0, nx);
  if (hx < 0) {
    red0 = -red0;
    red1 = -red1;
    return -n;
  }
  return n;
}

const PH_F = new Float64Array(20);
const PH_Q = new Float64Array(20);
const PH_FQ = new Float64Array(20);
const PH_IQ = new Int32Array(20);
const PH_JK = 4; // terms of 2/π beyond the argument's (double precision: 4)

/**
 * Payne–Hanek: the product of x = Σ tx[i]·2^(e0 − 24i) with the 2/π chunks that matter, kept as 24-bit integers
 * (exact), its integer part mod 8 returned and its fraction times π/2 left in red0 + red1. Recomputes with more
 * chunks when the fraction cancels.
 */
function kernelRemPio2(tx: Float64Array, e0: number, nx: number): number {
  const f = PH_F;
  const q = PH_Q;
  const jk = PH_JK;
  const jx = nx - 1;
  let jv = ((e0 - 3) / 24) | 0;
  if (jv < 0) jv = 0;
  let q0 = e0 - 24 * (jv + 1);
  for (let i = 0, j = jv - jx; i <= jx + jk; i++, j++) f[i] = j < 0 ? 0 : TWO_OVER_PI[j]!;
  for (let i = 0; i <= jk; i++) {
    let fw = 0;
    for (let j = 0; j <= jx; j++) fw += tx[j]! * f[jx + i - j]!;
    q[i] = fw;
  }
  let jz = jk;
  for (;;) {
    const res = distill(q, jz, q0);
    if (res.recompute === 0) return finishRemPio2(res.z, res.n, res.ih, jz, q0);
    const k = res.recompute;
    for (let i = jz + 1; i <= jz + k; i++) {
      f[jx + i] = TWO_OVER_PI[jv + i]!;
      let fw = 0;
      for (let j = 0; j <= jx; j++) fw += tx[j]! * f[jx + i - j]!;
      q[i] = fw;
    }
    jz += k;
  }
}

const DISTILLED = { z: 0, n: 0, ih: 0, recompute: 0 };

/** q[0…jz] distilled into 24-bit integers PH_IQ, n = integer part mod 8, z the fraction; recompute = chunks to add. */
function distill(q: Float64Array, jz: number, q0: number): typeof DISTILLED {
  const iq = PH_IQ;
  let z = q[jz]!;
  for (let i = 0, j = jz; j > 0; i++, j--) {
    const fw = (TWON24 * z) | 0;
    iq[i] = (z - TWO24 * fw) | 0;
    z = q[j - 1]! + fw;
  }
  z = scalbn(z, q0);
  z -= 8 * Math.floor(z * 0.125);
  let n = z | 0;
  z -= n;
  let ih = 0;
  if (q0 > 0) {
    const i = iq[jz - 1]! >> (24 - q0);
    n += i;
    iq[jz - 1] = iq[jz - 1]! - (i << (24 - q0));
    ih = iq[jz - 1]! >> (23 - q0);
  } else if (q0 === 0) ih = iq[jz - 1]! >> 23;
  else if (z >= 0.5) ih = 2;
  if (ih > 0) {
    // fraction > 0.5: take 1 − fraction, n + 1
    n += 1;
    let carry = 0;
    for (let i = 0; i < jz; i++) {
      const j = iq[i]!;
      if (carry === 0) {
        if (j !== 0) {
          carry = 1;
          iq[i] = 0x1000000 - j;
        }
      } else iq[i] = 0xffffff - j;
    }
    if (q0 === 1) iq[jz - 1] = iq[jz - 1]! & 0x7fffff;
    else if (q0 === 2) iq[jz - 1] = iq[jz - 1]! & 0x3fffff;
    if (ih === 2) {
      z = 1 - z;
      if (carry !== 0) z -= scalbn(1, q0);
    }
  }
  DISTILLED.z = z;
  DISTILLED.n = n;
  DISTILLED.ih = ih;
  DISTILLED.recompute = 0;
  if (z === 0) {
    let j = 0;
    for (let i = jz - 1; i >= PH_JK; i--) j |= iq[i]!;
    if (j === 0) {
      let k = 1;
      while (iq[PH_JK - k] === 0) k++;
      DISTILLED.recompute = k;
    }
  }
  return DISTILLED;
}

/** The distilled fraction (24-bit chunks) times π/2, summed into red0 + red1; returns n mod 8. */
function finishRemPio2(z: number, n: number, ih: number, jz: number, q0: number): number {
  const iq = PH_IQ;
  const q = PH_Q;
  const fq = PH_FQ;
  if (z === 0) {
    jz -= 1;
    q0 -= 24;
    while (iq[jz] === 0) {
      jz--;
      q0 -= 24;
    }
  } else {
    z = scalbn(z, -q0);
    if (z >= TWO24) {
      const fw = (TWON24 * z) | 0;
      iq[jz] = (z - TWO24 * fw) | 0;
      jz += 1;
      q0 += 24;
      iq[jz] = fw;
    } else iq[jz] = z | 0;
  }
  let fw = scalbn(1, q0);
  for (let i = jz; i >= 0; i--) {
    q[i] = fw * iq[i]!;
    fw *= TWON24;
  }
  for (let i = jz; i >= 0; i--) {
    fw = 0;
    for (let k = 0; k <= PH_JK && k <= jz - i; k++) fw += PIO2_PIECES[k]! * q[i + k]!;
    fq[jz - i] = fw;
  }
  fw = 0;
  for (let i = jz; i >= 0; i--) fw += fq[i]!;
  red0 = ih === 0 ? fw : -fw;
  fw = fq[0]! - fw;
  for (let i = 1; i <= jz; i++) fw += fq[i]!;
  red1 = ih === 0 ? fw : -fw;
  return n & 7;
}
