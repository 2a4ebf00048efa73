import { Rng } from '../../core/rng.js';

/**
 * A synthetic multichannel "iEEG" recording: a few coupled noisy oscillators (latent cortical
 * generators) seen by many electrode contacts through channel-specific gains and delays, plus local and
 * private noise. It stands in for the paper's 56-channel iEEG recording (Fig. 3, from Burrello et al.
 * 2019), which is not public.
 *
 * What it models, and why 42 channels predict the other 14:
 *
 * - **Latent generators.** `sources` oscillators k with natural frequencies spread over the EEG bands
 *   (delta to beta, 2–25 Hz). Each phase follows a noisy Kuramoto equation,
 *   dφ_k = (2π f_k + Σ_j κ_kj sin(φ_j − φ_k)) dt + σ_φ dW_k (Euler–Maruyama at the internal step), so the
 *   rhythms drift in frequency and partly entrain each other, as cortical rhythms do. The amplitude
 *   A_k = exp(a_k) waxes and wanes: a_k is an Ornstein–Uhlenbeck process (time constant 300 ms), giving
 *   the bursts ("spindles") typical of field potentials. Source k emits s_k(t) = A_k(t) cos φ_k(t). One
 *   extra non-oscillatory source, a slow OU process (τ = 150 ms), stands for the broadband slow drift.
 * - **Volume conduction.** Channels are grouped into `regions` (electrode shafts, 8 contacts each in the
 *   default 56 = 7 × 8). A region sees each source with a gain (most regions are dominated by two or three
 *   sources, the rest weakly) and a conduction delay of 0–20 ms; each contact varies its region's gains by
 *   ±30 % and adds up to 3 ms of delay. So x_c(t) = Σ_k g_ck s_k(t − d_ck): every channel is a mixture of
 *   the *same* few generators. This is the shared structure: with many more channels than generators,
 *   the generators, and therefore any other channel, are recoverable from a subset of the channels.
 * - **Local and private activity.** Each region adds a local OU process (τ = 20 ms) shared by its
 *   contacts (predictable only from contacts of the same shaft), and each contact adds private OU noise
 *   (τ = 4 ms; electrode and very local activity, unpredictable from any other channel). Their shares of a
 *   channel's variance are `localFraction` and `noiseFraction`; the private share is the floor no
 *   predictor can go below.
 * - **Normalisation.** Like the paper, which divided the raw values by one constant (200) so that they
 *   lie in about ±1–2, every channel is centred and all channels are divided by one common factor chosen
 *   so that the pooled standard deviation is `amplitude` (default 0.5; values then mostly lie in ±1.5, the
 *   useful voltage range of the logistic transfer function).
 *
 * The signal is sampled every `sampleMs` (default 2 ms, i.e. the paper's 512 Hz rounded as the paper
 * did); internally it is integrated at 0.5 ms. Every draw comes from one seeded Rng: the same seed
 * gives the same recording.
 */
export interface OscillatorSignalOptions {
  channels?: number;
  /** Latent oscillators (default 6). */
  sources?: number;
  /** Channel groups sharing gains, delays and local activity (default 7). */
  regions?: number;
  durationMs: number;
  /** Sample interval, ms (default 2). */
  sampleMs?: number;
  /** Share of each channel's variance that is private noise (default 0.1). */
  noiseFraction?: number;
  /** Share of each channel's variance that is region-local activity (default 0.1). */
  localFraction?: number;
  /** Pooled standard deviation after normalisation (default 0.5). */
  amplitude?: number;
  seed: number;
}

export interface MultichannelSignal {
  sampleMs: number;
  /** Sample times, ms (0, sampleMs, 2·sampleMs, …). */
  times: Float64Array;
  /** One array per channel, aligned with `times`. */
  channels: Float64Array[];
  /** Region (shaft) of each channel. */
  region: number[];
  /** Natural frequency of each latent oscillator, Hz. */
  frequenciesHz: number[];
  /** The common divisor applied to the centred raw signal. */
  scale: number;
}

const INTERNAL_MS = 0.5;
const MAX_DELAY_MS = 24;

/** Ornstein–Uhlenbeck process with unit stationary variance, exact discretisation. */
function ou(rng: Rng, n: number, dtMs: number, tauMs: number): Float64Array {
  const out = new Float64Array(n);
  const a = Math.exp(-dtMs / tauMs);
  const b = Math.sqrt(1 - a * a);
  let x = rng.normal();
  for (let i = 0; i < n; i++) {
    out[i] = x;
    x = a * x + b * rng.normal();
  }
  return out;
}

function variance(x: Float64Array): number {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) * (v - m);
  return s / x.length;
}

/** Linear interpolation of a signal on the internal grid at time t (ms), held at the ends. */
function at(x: Float64Array, tMs: number): number {
  const p = tMs / INTERNAL_MS;
  if (p <= 0) return x[0]!;
  const k = Math.floor(p);
  if (k >= x.length - 1) return x[x.length - 1]!;
  const a = p - k;
  return x[k]! + a * (x[k + 1]! - x[k]!);
}

export function coupledOscillatorSignal(o: OscillatorSignalOptions): MultichannelSignal {
  const s = resolveOptions(o);
  const rng = new Rng(o.seed);
  const srcRng = rng.fork('sources');
  const mixRng = rng.fork('mixing');
  const noiseRng = rng.fork('noise');
  // latent generators on the internal grid, with a lead-in so that delayed reads stay inside
  const n = Math.ceil((s.durationMs + MAX_DELAY_MS) / INTERNAL_MS) + 2;
  const { freqs, src } = latentSources(srcRng, s.sources, n);
  const mixing = volumeConduction(mixRng, s);
  const S = Math.floor(s.durationMs / s.sampleMs) + 1;
  const times = new Float64Array(S);
  for (let k = 0; k < S; k++) times[k] = k * s.sampleMs;
  const channels = recordChannels(noiseRng, s, src, mixing, times);
  const scale = normalise(channels, S, s.amplitude);
  return { sampleMs: s.sampleMs, times, channels, region: mixing.region, frequenciesHz: freqs, scale };
}

/** The options with their defaults filled in (regions at most channels), checked. */
interface SignalSettings {
  channels: number;
  sources: number;
  regions: number;
  durationMs: number;
  sampleMs: number;
  noiseFraction: number;
  localFraction: number;
  amplitude: number;
}

/** Fills in the defaults; throws a RangeError for a non-positive duration or noise shares that leave no shared part. */
function resolveOptions(o: OscillatorSignalOptions): SignalSettings {
  const channels = o.channels ?? 56;
  const s: SignalSettings = {
    channels,
    sources: o.sources ?? 6,
    regions: Math.min(o.regions ?? 7, channels),
    durationMs: o.durationMs,
    sampleMs: o.sampleMs ?? 2,
    noiseFraction: o.noiseFraction ?? 0.1,
    localFraction: o.localFraction ?? 0.1,
    amplitude: o.amplitude ?? 0.5,
  };
  if (!(o.durationMs > 0)) throw new RangeError(`durationMs: expected > 0, got ${o.durationMs}`);
  if (!(s.noiseFraction >= 0 && s.localFraction >= 0 && s.noiseFraction + s.localFraction < 1)) {
    throw new RangeError('noiseFraction + localFraction: expected non-negative shares below 1');
  }
  return s;
}

/**
 * The K noisy Kuramoto oscillators with OU log-amplitudes, then the slow OU drift as source K, on `n`
 * points of the internal grid, all drawn from `rng` in that order. Returns the natural frequencies (Hz).
 */
function latentSources(rng: Rng, K: number, n: number): { freqs: number[]; src: Float64Array[] } {
  const dt = INTERNAL_MS;
  // frequencies spread log-uniformly over 2–25 Hz, jittered, in random order
  const freqs = Array.from({ length: K }, (_, k) => 2 * Math.pow(25 / 2, (k + 0.2 + 0.6 * rng.uniform()) / K));
  const coupling: number[][] = Array.from({ length: K }, () => Array.from({ length: K }, () => 0));
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) if (i !== j) coupling[i]![j] = 0.004 * rng.uniform(); // rad/ms
  const phaseNoise = 0.04; // rad/√ms: a bandwidth of a few Hz
  const phases = Array.from({ length: K }, () => 2 * Math.PI * rng.uniform());
  const logAmp = Array.from({ length: K }, () => ou(rng, n, dt, 300));
  const src: Float64Array[] = Array.from({ length: K + 1 }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) src[k]![i] = Math.exp(0.4 * logAmp[k]![i]!) * Math.cos(phases[k]!);
    const next = phases.map((p, k) => {
      let drift = (2 * Math.PI * freqs[k]!) / 1000;
      for (let j = 0; j < K; j++) drift += coupling[k]![j]! * Math.sin(phases[j]! - p);
      return p + drift * dt + phaseNoise * Math.sqrt(dt) * rng.normal();
    });
    for (let k = 0; k < K; k++) phases[k] = next[k]!;
  }
  src[K] = ou(rng, n, dt, 150);
  return { freqs, src };
}

/** How each channel sees the K + 1 sources: its region, and per source a gain and a delay (ms). */
interface Mixing {
  region: number[];
  gain: number[][];
  delay: number[][];
}

/** Volume conduction: region gains and delays, then per-contact variation, drawn from `rng`. */
function volumeConduction(rng: Rng, s: SignalSettings): Mixing {
  const { channels: C, regions: R, sources: K } = s;
  const region = Array.from({ length: C }, (_, c) => Math.floor((c * R) / C));
  const regionGain: number[][] = [];
  const regionDelay: number[][] = [];
  for (let r = 0; r < R; r++) {
    const strong = new Set<number>();
    const nStrong = 2 + rng.int(2);
    while (strong.size < Math.min(nStrong, K)) strong.add(rng.int(K));
    regionGain.push(Array.from({ length: K + 1 }, (_, k) => (k === K ? 0.5 : strong.has(k) ? 1 : 0.25) * (0.5 + rng.uniform()) * (rng.uniform() < 0.2 ? -1 : 1)));
    regionDelay.push(Array.from({ length: K + 1 }, () => 20 * rng.uniform()));
  }
  const gain: number[][] = [];
  const delay: number[][] = [];
  for (let c = 0; c < C; c++) {
    const r = region[c]!;
    gain.push(regionGain[r]!.map((g) => g * (1 + 0.3 * (2 * rng.uniform() - 1))));
    const own = 3 * rng.uniform();
    delay.push(regionDelay[r]!.map((d) => d + own));
  }
  return { region, gain, delay };
}

/**
 * Each channel at the sample `times`: the delayed, weighted sources plus its region's local OU process
 * and its private OU noise, scaled to their variance shares. Draws the local processes from `rng` first,
 * then each channel's private noise.
 */
function recordChannels(rng: Rng, s: SignalSettings, src: Float64Array[], m: Mixing, times: Float64Array): Float64Array[] {
  const S = times.length;
  const n = src[0]!.length;
  const K = s.sources;
  const local = Array.from({ length: s.regions }, () => ou(rng, n, INTERNAL_MS, 20));
  const channels: Float64Array[] = [];
  for (let c = 0; c < s.channels; c++) {
    const shared = new Float64Array(S);
    const loc = new Float64Array(S);
    for (let k = 0; k < S; k++) {
      const t = MAX_DELAY_MS + times[k]!;
      let v = 0;
      for (let j = 0; j <= K; j++) v += m.gain[c]![j]! * at(src[j]!, t - m.delay[c]![j]!);
      shared[k] = v;
      loc[k] = at(local[m.region[c]!]!, t);
    }
    const priv = ou(rng, S, s.sampleMs, 4);
    // shares of the channel variance: shared 1 − f_n − f_l, local f_l, private f_n
    const vs = variance(shared);
    const fs = 1 - s.noiseFraction - s.localFraction;
    const kl = Math.sqrt((s.localFraction / fs) * vs);
    const kn = Math.sqrt((s.noiseFraction / fs) * vs);
    const x = new Float64Array(S);
    for (let k = 0; k < S; k++) x[k] = shared[k]! + kl * loc[k]! + kn * priv[k]!;
    channels.push(x);
  }
  return channels;
}

/**
 * Centres every channel (S samples) in place, then divides all by one common factor so that the pooled standard
 * deviation is `amplitude` (the paper divided the raw iEEG by 200). Returns that factor.
 */
function normalise(channels: Float64Array[], S: number, amplitude: number): number {
  let pooled = 0;
  for (const x of channels) {
    let m = 0;
    for (const v of x) m += v;
    m /= S;
    for (let k = 0; k < S; k++) x[k] = x[k]! - m;
    for (const v of x) pooled += v * v;
  }
  const scale = Math.sqrt(pooled / (channels.length * S)) / amplitude;
  for (const x of channels) for (let k = 0; k < S; k++) x[k] = x[k]! / scale;
  return scale;
}

/** Pearson correlation of two equally long series. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}
