#!/usr/bin/env node
// codectok command line. Each subcommand lives in src/commands/<name>.ts and
// exports register(program); add one by importing it and listing it below.
import { createRequire } from 'node:module';

import { Command, CommanderError } from 'commander';

import { errorLine } from './cli_util.js';
import { register as inspect } from './commands/inspect.js';
import { register as tokenize } from './commands/tokenize.js';
import { register as shard } from './commands/shard.js';
import { register as pack } from './commands/pack.js';
import { register as bench } from './commands/bench.js';

const commands: Array<(program: Command) => void> = [
  inspect,
  tokenize,
  shard,
  pack,
  bench,
];

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

function buildProgram(): Command {
  const program = new Command();
  program
    .name('codectok')
    .description('Turn videos into codec-aligned patch tokens (HEVC motion fields, coding units, residuals)')
    .version(version)
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
