/**
 * A resumable experiment stopped on request (SIGINT/SIGTERM) after writing its checkpoint: the CLI
 * prints the message and exits with 128 + the signal's number.
 */
export class RunInterrupted extends Error {
  constructor(
    /** The checkpoint written (null when the run had no checkpoint file). */
    readonly file: string | null,
    readonly done: number,
    readonly total: number,
  ) {
    super(`stopped after ${done} of ${total} presentations${file ? `; checkpoint ${file} (continue with --resume)` : ''}`);
    this.name = 'RunInterrupted';
  }
}
