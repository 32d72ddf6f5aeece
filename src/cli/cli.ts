#!/usr/bin/env node
// codectok command line. Each subcommand lives in src/cli/commands/<name>.ts and
// exports register(program); add one by listing its import below.
import { Command, CommanderError } from 'commander';

import { VERSION } from '../version.js';
import { errorLine } from './output.js';

type CommandModule = { register: (program: Command) => void };

// Loaded on demand: a run loads only its own command's modules (the whole list for help, a
// version or an unknown command), so `codectok inspect` does not start by loading the tokenizer.
const commands: Record<string, () => Promise<CommandModule>> = {
  inspect: () => import('./commands/inspect.js'),
  viz: () => import('./commands/viz.js'),
  tokenize: () => import('./commands/tokenize.js'),
  shard: () => import('./commands/shard.js'),
  pack: () => import('./commands/pack.js'),
  bench: () => import('./commands/bench.js'),
};

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command();
  program
    .name('codectok')
    .description('Turn videos into codec-aligned patch tokens (HEVC motion fields, coding units, residuals)')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride(); // errors come back to main() (subcommands inherit this)
  const name = argv[2];
  const names = name !== undefined && Object.hasOwn(commands, name) ? [name] : Object.keys(commands);
  for (const m of await Promise.all(names.map((n) => commands[n]!()))) m.register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  // `codectok inspect x | head` must end quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  let program: Command;
  try {
    program = await buildProgram(argv);
  } catch (e) {
    process.stderr.write(`codectok: internal error: ${errorLine(e)}\n`);
    return 2;
  }
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
