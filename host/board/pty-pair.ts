import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';

/**
 * A linked pair of real pseudo-terminals made by socat: bytes written to one end come out of the other,
 * through the kernel's tty layer, exactly as over a serial cable. `hostPath` is the end a host opens
 * (a stable symlink: `link` if given), `boardPath` the end the virtual board opens. `cut()` kills socat:
 * both ends see the line drop; `start()` makes a new pair at the same paths (the cable plugged back in).
 */
export class PtyPair {
  readonly hostPath: string;
  readonly boardPath: string;
  private proc: ChildProcess | null = null;
  private readonly dir: string;
  private exitCbs: Array<(code: number | null) => void> = [];

  constructor(link?: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'nla-pty-'));
    this.hostPath = link ?? join(this.dir, 'host');
    this.boardPath = join(this.dir, 'board');
  }

  /** Whether socat is installed. */
  static available(): boolean {
    const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
    return r.error === undefined && r.status === 0;
  }

  /** Starts socat and resolves when both ends exist. */
  async start(timeoutMs = 5000): Promise<void> {
    if (!PtyPair.available()) throw new UsageError('the virtual board needs socat to make a pseudo-terminal pair (Debian/Ubuntu: apt-get install socat)');
    if (existsSync(this.hostPath)) rmSync(this.hostPath, { force: true });
    let stderr = '';
    const p = spawn('socat', [`pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.boardPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.proc = p;
    p.on('exit', (code) => {
      if (this.proc === p) this.proc = null;
      for (const cb of this.exitCbs) cb(code);
    });
    const t0 = Date.now();
    while (!existsSync(this.hostPath) || !existsSync(this.boardPath)) {
      if (p.exitCode !== null) throw new Error(`socat exited (${p.exitCode}) before making the pty pair: ${stderr.trim()}`);
      if (Date.now() - t0 > timeoutMs) {
        p.kill();
        throw new Error(`socat did not create ${this.hostPath} within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    // socat makes the links before it has finished setting both ttys raw; bytes written in that window
    // can meet a cooked line discipline (CR→LF translation), so give it a moment
    await new Promise((r) => setTimeout(r, 100));
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** Called when socat exits (the line dropped). */
  onExit(cb: (code: number | null) => void): void {
    this.exitCbs.push(cb);
  }

  /** Drops the line: socat is killed and both ends close. */
  async cut(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  }

  /** Stops socat and removes the temporary directory. */
  async close(): Promise<void> {
    this.exitCbs = [];
    await this.cut();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
