/**
 * `nla-toolkit/host`: talking to a board — streaming frames with recovery, the session and link,
 * byte transports (serial port, in-process pair), the virtual board, port listing and the board engine.
 * @packageDocumentation
 */
export { streamToBoard, StreamError, type StreamRequest, type StreamResult, type Incident, type StreamProgress, type StreamStats } from './stream.js';
export { BoardSession, BoardError, ProtocolVersionError, type SessionOptions, type BoardInfo } from './session.js';
export { LinkError } from './link/reliable-link.js';
export type { ByteTransport } from './transport/transport.js';
export { SerialTransport, type SerialOptions } from './transport/serial.js';
export { memoryPair } from './transport/memory.js';
export { VirtualBoard, DEFAULT_CAPS, type VirtualBoardOptions } from './board/virtual-board.js';
export { listPorts, type PortInfo } from './ports.js';
export { boardEngine, BoardEngine } from './engine/board-engine.js';
