// Small helpers shared by the CLI subcommands (src/cli/commands/*.ts).
import { once } from 'node:events';

import { CodectokError } from '../errors.js';

/** Writes to stdout, waiting when the pipe is full (so `| head` and slow readers work). */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** The one-line message the CLI prints for an error (no stack trace). */
export function errorLine(err: unknown): string {
  if (err instanceof CodectokError) return err.describe();
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.message === 'string') {
    // Node system errors already say what and where (ENOENT: no such file..., open 'x').
    return e.message.split('\n')[0]!;
  }
  return String(err);
}

/** Formats a number with thousands separators. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
