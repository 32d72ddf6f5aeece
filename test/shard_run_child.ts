// Child process for the resume-after-kill test: runs `runSharding` with a slow fake
// tokenizer and prints a line before each video, so the parent can kill it mid-shard.
import { runSharding } from '../src/shard/sharding_run.js';
import { fakeTokenize } from './shard_helpers.js';

const [manifest, out, per, delay] = process.argv.slice(2);
await runSharding({
  manifest,
  out,
  samplesPerShard: Number(per),
  fsync: false,
  tokenize: async (input, opts) => {
    process.stdout.write(`start ${input}\n`);
    await new Promise((r) => setTimeout(r, Number(delay)));
    return fakeTokenize(input, opts);
  },
});
process.stdout.write('finished\n');
