// Worker thread for `codectok tokenize|shard --jobs N`: runs tokenize() off the main thread and
// sends the arrays back without copying (transferred buffers).
import { parentPort } from 'node:worker_threads';

import type { TokenizeOptions } from './options.js';
import { tokenize } from './tokenize.js';

interface Request {
  id: number;
  input: string;
  options: TokenizeOptions;
}

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;

port.on('message', (req: Request) => {
  void (async () => {
    try {
      const r = await tokenize(req.input, req.options);
      const buffers = [...new Set([r.patches.data.buffer, r.positions.data.buffer])].filter(
        (b): b is ArrayBuffer => b instanceof ArrayBuffer,
      );
      port.postMessage({ id: req.id, ok: true, result: r }, buffers);
    } catch (e) {
      const err = e as Error & { code?: string };
      port.postMessage({ id: req.id, ok: false, error: { message: err?.message ?? String(e), code: err?.code, name: err?.name } });
    }
  })();
});
