/**
 * Signals travel as 3-byte little-endian two's complement (Q3.16 values use 20 bits; −2²³ is the
 * NO_TARGET marker). An INPUT_FRAME or OUTPUT_FRAME payload is 10 bytes (frame u32, time µs u32,
 * count u16) plus 3 per value.
 */
export const WIRE_SIGNAL_BYTES = 3;
export const NO_TARGET_WIRE = -(2 ** 23);

export function framePayloadBytes(values: number): number {
  return 10 + WIRE_SIGNAL_BYTES * values;
}

/**
 * What a board can hold and do, as it reports in its handshake (HELLO_ACK, docs/protocol.md). A board
 * image must fit all of these; the compiler and the host check before loading, the board checks again.
 */
export interface Capabilities {
  /** Network neurons (hidden + output). */
  maxNeurons: number;
  /** Synapses (weight registers) over all projections. */
  maxSynapses: number;
  /** Input units, stimulus and bias together. */
  maxInputs: number;
  maxOutputs: number;
  /** Fractional bits of signals (16 for Q3.16) and of weight registers (28 for Q3.28). */
  signalFracBits: number;
  weightFracBits: number;
  /** Most input frames per second the board processes in real time. */
  maxFrameRate: number;
  /** SEQ frames the board buffers (the credits it grants). */
  window: number;
  /** Largest frame payload it accepts, bytes. */
  maxPayload: number;
}
