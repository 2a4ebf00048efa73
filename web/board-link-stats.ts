/**
 * The link's statistics of a board run, as the page shows them: the counters `nla stream` prints
 * (host/stream/stats.ts StreamStats: frames sent, acknowledged, outputs, retransmissions, rejected
 * frames, gaps and duplicates from the board, lost, sessions and frames resent, line bytes, frames/s) with the ports the page opened and the
 * bytes it received, and the incidents the stream recovered from.
 */
import type { Incident, StreamStats } from '../host/stream.js';

/** One board run's link statistics (plain numbers: they cross to scripts and tests as JSON). */
export interface BoardLinkStats {
  /** Input frames of the stream. */
  frames: number;
  /** Input frames handed to the link at least once, acknowledged by the board's link, and whose output arrived. */
  framesSent: number;
  framesAcknowledged: number;
  outputsReceived: number;
  /** Link-level retransmissions (a frame corrupted, dropped or not acknowledged in time, sent again). */
  retransmitted: number;
  /** Frames the decoder rejected: CRC, COBS or length errors. */
  rejectedFrames: number;
  /** Frames from the board after a gap (one lost on the way), and frames from it that arrived twice. */
  gaps: number;
  duplicates: number;
  /** Frames without an output at the end (0 unless the stream failed). */
  lost: number;
  /** Sessions (handshakes completed); reconnects = sessions − 1. */
  sessions: number;
  reconnects: number;
  /** Frames sent again in a later session (after a dropped line or a board reset). */
  resent: number;
  /** Ports the page opened (the chooser or `openPort` called), failed attempts not counted. */
  portsOpened: number;
  /** Bytes the host put on the line (every frame, framing included) and bytes it received. */
  lineBytesSent: number;
  lineBytesReceived: number;
  /** Output frames per second over the streaming interval. */
  framesPerSecond: number;
  incidents: Incident[];
}

/** The page's table of a stream's statistics and the line's counts. */
export function linkStatistics(s: { stats: StreamStats; incidents: Incident[] }, line: { portsOpened: number; bytesReceived: number }): BoardLinkStats {
  const t = s.stats;
  return {
    frames: t.frames,
    framesSent: t.sent,
    framesAcknowledged: t.acknowledged,
    outputsReceived: t.outputsReceived,
    retransmitted: t.retransmitted,
    rejectedFrames: t.rejectedFrames,
    gaps: t.gaps,
    duplicates: t.duplicates,
    lost: t.lost,
    sessions: t.sessions,
    reconnects: Math.max(0, t.sessions - 1),
    resent: t.resent,
    portsOpened: line.portsOpened,
    lineBytesSent: t.lineBytesSent,
    lineBytesReceived: line.bytesReceived,
    framesPerSecond: t.framesPerSecond,
    incidents: s.incidents.map((i) => ({ ...i })),
  };
}

/** The rows the page's table shows: a label and a value each. */
export function linkRows(l: BoardLinkStats): Array<[string, string]> {
  return [
    ['frames sent / acknowledged / outputs', `${l.framesSent} / ${l.framesAcknowledged} / ${l.outputsReceived} of ${l.frames}`],
    ['retransmissions (link)', String(l.retransmitted)],
    ['rejected frames (CRC, COBS, too short or too long)', String(l.rejectedFrames)],
    ['gaps (frames from the board after a lost one) / duplicates', `${l.gaps} / ${l.duplicates}`],
    ['lost frames', String(l.lost)],
    ['sessions (reconnects)', `${l.sessions} (${l.reconnects})`],
    ['frames resent after a reconnect', String(l.resent)],
    ['ports opened', String(l.portsOpened)],
    ['bytes sent / received', `${l.lineBytesSent} / ${l.lineBytesReceived}`],
    ['frames/s', l.framesPerSecond.toFixed(0)],
    ...l.incidents.map((i): [string, string] => [`incident at frame ${i.atFrame}`, i.what]),
  ];
}
