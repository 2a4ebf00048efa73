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
