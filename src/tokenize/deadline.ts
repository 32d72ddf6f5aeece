// The per-video time bound of tokenize() (`timeout`, the CLI's --timeout): ERR_TIMEOUT once
// the video has taken longer, so that one pathological file cannot stall a dataset run.
import { CodectokError } from '../errors.js';

export class Deadline {
  private readonly at: number;
  constructor(
    private readonly seconds: number | undefined,
    private readonly file: string,
  ) {
    this.at = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
  }

  private error(): CodectokError {
    return new CodectokError('ERR_TIMEOUT', `took longer than the timeout of ${this.seconds} s`, { file: this.file });
  }

  /** Throws ERR_TIMEOUT when the time is up (called between pictures and frames). */
  check(): void {
    if (Date.now() > this.at) throw this.error();
  }

  /**
   * `work`, or ERR_TIMEOUT at the deadline if it has not settled by then (for what runs
   * between two checks: FFmpeg, one native call). `work` itself stops at its next check.
   */
  async race<T>(work: Promise<T>): Promise<T> {
    if (this.at === Infinity) return work;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.error()), Math.max(0, this.at - Date.now()));
      timer.unref();
    });
    work.catch(() => {}); // after the deadline its own ERR_TIMEOUT is not awaited
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
