#!/usr/bin/env node
// codectok command line. Each subcommand lives in src/cli/commands/<name>.ts and
// exports register(program); add one by importing it and listing it below.
import { Command, CommanderError } from 'commander';

import { VERSION } from '../version.js';
import { register as bench } from './commands/bench.js';
import { register as inspect } from './commands/inspect.js';
import { register as pack } from './commands/pack.js';
import { register as shard } from './commands/shard.js';
import { register as tokenize } from './commands/tokenize.js';
import { register as viz } from './commands/viz.js';
import { errorLine } from './output.js';

const commands: Array<(program: Command) => void> = [
  inspect,
  viz,
  tokenize,
  shard,
  pack,
  bench,
];

function buildProgram(): Command {
  const program = new Command();
  program
    .name('codectok')
    .description('Turn videos into codec-aligned patch tokens (HEVC motion fields, coding units, residuals)')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride(); // errors come back to main() (subcommands inherit this)
  for (const register of commands) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  // `codectok inspect x | head` must end quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help/version) already.
      return e.exitCode;
    }
    process.stderr.write(`codectok: error: ${errorLine(e)}\n`);
    if (process.env.CODECTOK_DEBUG) console.error(e);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    // A command may have set a failing exit code itself (e.g. some files failed): keep it.
    process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
  },
  (e) => {
    process.stderr.write(`codectok: internal error: ${errorLine(e)}\n`);
    process.exitCode = 2;
  },
);
