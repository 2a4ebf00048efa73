import { framePayloadBytes } from '../../hardware-models/fixed-point/capabilities.js';
import { HEADER_BYTES } from '../protocol/frame.js';

/**
 * What a UART line carries, in frames per second, for a stream of INPUT_FRAMEs one way and
 * OUTPUT_FRAMEs the other (docs/protocol.md): each frame is the 11-byte header, the payload and the
 * CRC, COBS-encoded (at most one code byte per 254 bytes, plus one) with its 0x00 delimiter, and each
 * byte takes 10 bit times (8N1). The busier direction bounds the rate. The byte count is exact below
 * 254 raw bytes and an upper bound above (a zero in the header or CRC can save a code byte), so the
 * frames/s is what the line carries at least.
 */
export function wireBytes(payloadBytes: number): number {
  const raw = HEADER_BYTES + payloadBytes + 4;
  return raw + 1 + Math.floor(raw / 254) + 1;
}

export interface LineRate {
  inputFrameBytes: number;
  outputFrameBytes: number;
  framesPerS: number;
}

/**
 * Frames per second at `baud` for INPUT_FRAMEs of `nInputs` values and OUTPUT_FRAMEs of `nOutputValues`
 * values: width(probes) of the stream's probe mask (image.ts probeWidth: the outputs once per output
 * probe, every neuron for all-u), not the number of outputs.
 */
export function lineFramesPerS(baud: number, nInputs: number, nOutputValues: number): LineRate {
  const inputFrameBytes = wireBytes(framePayloadBytes(nInputs));
  const outputFrameBytes = wireBytes(framePayloadBytes(nOutputValues));
  return { inputFrameBytes, outputFrameBytes, framesPerS: baud / 10 / Math.max(inputFrameBytes, outputFrameBytes) };
}

/** Cycles per frame measured on the RTL core, without and with learning (LEARN = 1, targets applied). */
export interface FrameCycles {
  inference: number;
  learning: number;
}

export type Bound = 'line' | 'core';

export interface FrameRates {
  line: LineRate;
  /** Frames/s the core computes at the board's clock, and at fmax were it clocked there. */
  core: { inference: number; learning: number };
  coreAtFmax: { inference: number; learning: number } | null;
  /** What bounds a stream without learning (LEARN = 0) and with it (LEARN = 1): the slower of core and line. */
  bound: Bound;
  learningBound: Bound;
  /** Frames/s a stream sustains without and with learning: the lesser of core and line. */
  sustained: { inference: number; learning: number };
}

/** Frames/s the core sustains at the board's clock (and at fmax, were it clocked there) against what the line carries. */
export function frameRates(cycles: FrameCycles, baud: number, nInputs: number, nOutputValues: number, clockMHz: number, fmaxMHz: number | null): FrameRates {
  const line = lineFramesPerS(baud, nInputs, nOutputValues);
  const at = (mhz: number) => ({ inference: (mhz * 1e6) / cycles.inference, learning: (mhz * 1e6) / cycles.learning });
  const core = at(clockMHz);
  const bound = (coreRate: number): Bound => (coreRate >= line.framesPerS ? 'line' : 'core');
  return {
    line,
    core,
    coreAtFmax: fmaxMHz ? at(fmaxMHz) : null,
    bound: bound(core.inference),
    learningBound: bound(core.learning),
    sustained: { inference: Math.min(core.inference, line.framesPerS), learning: Math.min(core.learning, line.framesPerS) },
  };
}
