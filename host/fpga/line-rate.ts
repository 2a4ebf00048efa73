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

/** Frames per second at `baud` for frames of `nInputs` values in and `nOutputValues` out. */
export function lineFramesPerS(baud: number, nInputs: number, nOutputValues: number): LineRate {
  const inputFrameBytes = wireBytes(framePayloadBytes(nInputs));
  const outputFrameBytes = wireBytes(framePayloadBytes(nOutputValues));
  return { inputFrameBytes, outputFrameBytes, framesPerS: baud / 10 / Math.max(inputFrameBytes, outputFrameBytes) };
}
