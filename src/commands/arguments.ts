// Argument parsers and option groups shared by the CLI's subcommands.
import { type Command, InvalidArgumentError, Option } from 'commander';

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

/** The output geometry options of tokenize (letterbox or Qwen2-VL resize, patch size). */
export function addGeometryOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--resize <mode>', 'letterbox to a square (default) or Qwen2-VL resize').choices(['letterbox', 'qwen']))
    .option('--size <S>', 'letterbox side in pixels (default 576)', int('--size'))
    .option('--patch <P>', 'patch side in pixels (default 16; 14 for --resize qwen)', int('--patch'))
    .option('--merge <m>', 'qwen: sides are multiples of patch x merge (default 2)', int('--merge'))
    .option('--min-pixels <n>', 'qwen: minimum pixels', int('--min-pixels'))
    .option('--max-pixels <n>', 'qwen: maximum pixels', int('--max-pixels'));
}
