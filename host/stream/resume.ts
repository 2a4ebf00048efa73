import { NO_FRAME } from '../protocol/messages.js';
import type { BoardInfo } from '../session.js';

/**
 * How a session picks up a stream, decided from what the board reports in its HELLO_ACK:
 *
 * - `continue`: the board kept its state (not booted, holding this image): input frames go on at
 *   `from`, the frame after the last one it accepted. Outputs the host is missing below `from` are asked
 *   for again from `resendOutputsFrom` (RESEND_OUTPUTS; null when none are missing). A board that has
 *   accepted no frame yet gets START_STREAM at frame 0 (`startStream`); one that has continues its stream.
 * - `reload`: the image is loaded, learning set and the stream started at frame 0, and every frame is
 *   sent from 0 again (the core is deterministic: replayed outputs must equal those already held).
 *   `replay` says that this replaces an earlier run of the stream (an incident worth reporting).
 */
export type ResumePlan =
  | { kind: 'continue'; from: number; resendOutputsFrom: number | null; startStream: boolean }
  | { kind: 'reload'; from: 0; replay: boolean };

/** What the host knows when it plans a session. */
export interface ResumeContext {
  /** The CRC of the image this stream uses (imageId). */
  imageCrc: number;
  /**
   * The stream ran before: an earlier session of this call got as far as streaming, or the call was
   * given the outputs of an earlier attempt. Only then can a board's state be this stream's.
   */
  earlier: boolean;
  /** The lowest frame without an output. */
  firstMissing: number;
}

/** The board's state as its HELLO_ACK reports it. */
export type BoardState = Pick<BoardInfo, 'booted' | 'imageLoaded' | 'imageCrc' | 'lastFrame'>;

/**
 * Plans where a session starts. A board continues only when the stream ran before and the board kept
 * its state: it has not booted since, and it holds this very image (same CRC). Anything else reloads.
 */
export function planResume(board: BoardState, c: ResumeContext): ResumePlan {
  const kept = c.earlier && !board.booted && board.imageLoaded && board.imageCrc === c.imageCrc;
  if (!kept) return { kind: 'reload', from: 0, replay: c.earlier };
  const from = board.lastFrame === NO_FRAME ? 0 : board.lastFrame + 1;
  return { kind: 'continue', from, resendOutputsFrom: c.firstMissing < from ? c.firstMissing : null, startStream: from === 0 };
}
