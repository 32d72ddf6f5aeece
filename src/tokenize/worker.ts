// Worker thread for `codectok tokenize|shard --jobs N`: runs tokenize() off the main thread and
// sends the arrays back without copying (transferred buffers).
import { parentPort } from 'node:worker_threads';

import { toCodectokError } from '../errors.js';
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
      const buffers = [...new Set([r.patches.data.buffer, r.positions.data.buffer, r.scores?.data.buffer])].filter(
        (b): b is ArrayBuffer => b instanceof ArrayBuffer,
      );
      port.postMessage({ id: req.id, ok: true, result: r }, buffers);
    } catch (e) {
      // tokenize() throws CodectokError: its fields cross the thread (a class instance does not)
      const err = toCodectokError(e, req.input);
      port.postMessage({ id: req.id, ok: false, error: { name: err.name, message: err.message, code: err.code, byteOffset: err.byteOffset, picture: err.picture, file: err.file } });
    }
  })();
});
