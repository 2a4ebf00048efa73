/**
 * `nla-toolkit/host`: talking to a board — streaming frames with recovery, byte transports (serial
 * port, in-process pair), the virtual board and the board engine, and their errors.
 * @module nla-toolkit/host
 */
export { streamToBoard, StreamError, type StreamRequest, type StreamResult, type Incident, type StreamProgress, type StreamStats } from './stream.js';
export { BoardError, ProtocolVersionError } from './session.js';
export { LinkError } from './link/reliable-link.js';
export type { ByteTransport } from './transport/transport.js';
export { SerialTransport } from './transport/serial.js';
export { memoryPair } from './transport/memory.js';
export { VirtualBoard, type VirtualBoardOptions } from './board/virtual-board.js';
export { boardEngine, BoardEngine } from './engine/board-engine.js';
