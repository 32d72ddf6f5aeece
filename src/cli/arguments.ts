// Argument parsers shared by the CLI's subcommands (commander calls them on the option's text).
import { availableParallelism } from 'node:os';

import { InvalidArgumentError } from 'commander';

/** An integer option >= min. */
export function int(name: string, min = 1) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

/** A finite number option, >= min when min is given. */
export function num(name: string, min = -Infinity) {
  return (v: string) => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n >= min)) {
      throw new InvalidArgumentError(min === -Infinity ? `${name} must be a number` : `${name} must be a number >= ${min}`);
    }
    return n;
  };
}

/** --frames: a count of frames sampled evenly, or 'all'. */
export function framesArg(v: string): number | 'all' {
  if (v === 'all') return 'all';
  return int('--frames')(v);
}

/** --mean / --std: three numbers R,G,B. */
export function triple(name: string) {
  return (v: string) => {
    const p = v.split(',').map(Number);
    if (p.length !== 3 || p.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${name} must be three numbers: R,G,B`);
    return p as [number, number, number];
  };
}

/** A repeatable option: every value given, in order. */
export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/** `key=value` items (repeated or comma-separated) as an object; undefined when none. */
export function keyValues(list: string[] | undefined, what: string): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const item of list.flatMap((s) => s.split(','))) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`${what} takes key=value, got ${item}`);
    out[item.slice(0, i).trim()] = item.slice(i + 1).trim();
  }
  return out;
}

/** Threads one video's bitstream is parsed on when the CLI processes one video at a time: the cores available, up to 4. */
export function defaultParseThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * The same for tokenize, whose pixel decode (FFmpeg) runs beside the parse: the cores but one, at
 * least 1, up to 4 (on 2 cores a second parse thread made tokenize slower and cost more CPU:
 * README, Speed).
 */
export function defaultTokenizeParseThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}
