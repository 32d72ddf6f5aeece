// The per-video time bound of tokenize() (`timeout`, the CLI's --timeout): ERR_TIMEOUT once
// the video has taken longer, so that one pathological file cannot stall a dataset run. At the
// deadline `signal` is aborted (its reason the ERR_TIMEOUT error): FFmpeg children are killed and
// a native decode in progress stops at its next NAL unit, so nothing goes on working after it.
import { CodectokError } from '../errors.js';

export class Deadline {
  private readonly at: number;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly seconds: number | undefined,
    private readonly file: string,
  ) {
    this.at = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
    if (seconds !== undefined) {
      this.timer = setTimeout(() => this.controller.abort(this.error()), Math.max(0, this.at - Date.now()));
      this.timer.unref();
    }
  }

  /** Aborted at the deadline, with the ERR_TIMEOUT error as its reason: hand it to what runs long. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private error(): CodectokError {
    return new CodectokError('ERR_TIMEOUT', `took longer than the timeout of ${this.seconds} s`, { file: this.file });
  }

  /** Throws ERR_TIMEOUT when the time is up (called between pictures and frames). */
  check(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
    if (Date.now() > this.at) throw this.error();
  }

  /**
   * `work`, or ERR_TIMEOUT at the deadline if it has not settled by then. `work` is stopped by
   * the signal (FFmpeg killed, the native decode cancelled) or at its next check. The timer ends
   * when `work` settles.
   */
  async race<T>(work: Promise<T>): Promise<T> {
    if (this.at === Infinity) return work;
    const signal = this.controller.signal;
    let onAbort: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    work.catch(() => {}); // after the deadline its own error is not awaited
    try {
      return await Promise.race([work, expired]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      clearTimeout(this.timer);
    }
  }
}
