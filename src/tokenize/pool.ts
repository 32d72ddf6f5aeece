/**
 * A pool of worker threads running tokenize(), for `codectok tokenize|shard --jobs N`: the
 * tokenizer is CPU-bound on the thread that calls it, so N videos at once need N
 * threads. Used from the compiled package (dist/); when the worker script is not there
 * (running the TypeScript sources directly) `createTokenizePool` returns null and the
 * caller tokenizes on the main thread.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { type CodectokError, toCodectokError } from '../errors.js';
import type { TokenizeResult } from './result.js';
import { asTensors } from './tensors.js';

type TokenizedVideo = TokenizeResult;

export interface TokenizePool {
  /** tokenize() on a worker thread (options that are functions are dropped). */
  tokenize: (input: string, options: Record<string, unknown>) => Promise<TokenizeResult>;
  close(): Promise<void>;
  size: number;
}

interface Pending {
  resolve: (r: TokenizedVideo) => void;
  reject: (e: Error) => void;
}

/** What the worker sends back of a CodectokError. */
interface ErrorFields {
  name: string;
  message: string;
  code: string;
  byteOffset: number;
  picture: number;
  file?: string;
}

/** The worker's error as a CodectokError again, with its code, byteOffset, picture and file. */
function fromErrorFields(f: ErrorFields | undefined): CodectokError {
  const e = toCodectokError(f ?? { message: 'tokenize failed' });
  if (f?.name && f.name !== 'Error') e.name = f.name;
  return e;
}

/** Options that cannot cross a thread (functions) are dropped. */
function cloneable(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v !== 'function'));
}

export function defaultWorkerUrl(): URL {
  return new URL('./worker.js', import.meta.url);
}

export function createTokenizePool(size: number, workerUrl: URL = defaultWorkerUrl()): TokenizePool | null {
  if (size < 2) return null;
  if (workerUrl.protocol !== 'file:' || !fs.existsSync(fileURLToPath(workerUrl))) return null;
  const idle: Worker[] = [];
  const all: Worker[] = [];
  const queue: { id: number; input: string; options: Record<string, unknown> }[] = [];
  const pending = new Map<number, Pending>();
  const busy = new Map<Worker, number>();
  let nextId = 0;
  let closed = false;

  const dispatch = () => {
    while (idle.length && queue.length) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      busy.set(w, job.id);
      w.postMessage(job);
    }
  };
  const spawn = (): Worker => {
    const w = new Worker(workerUrl);
    w.on('message', (msg: { id: number; ok: boolean; result?: TokenizedVideo; error?: ErrorFields }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      busy.delete(w);
      idle.push(w);
      if (p) {
        if (msg.ok) p.resolve(asTensors(msg.result as TokenizeResult)); // ndarray views again, over the transferred buffers
        else p.reject(fromErrorFields(msg.error));
      }
      dispatch();
    });
    w.on('error', (err) => {
      // the worker died: fail its job, replace it
      const id = busy.get(w);
      busy.delete(w);
      const i = all.indexOf(w);
      if (i >= 0) all.splice(i, 1);
      if (id !== undefined) {
        pending.get(id)?.reject(err instanceof Error ? err : new Error(String(err)));
        pending.delete(id);
      }
      if (!closed) {
        const nw = spawn();
        idle.push(nw);
        dispatch();
      }
    });
    all.push(w);
    return w;
  };
  for (let i = 0; i < size; i++) idle.push(spawn());

  return {
    size,
    tokenize: (input, options) =>
      new Promise<TokenizedVideo>((resolve, reject) => {
        if (closed) return reject(new Error('tokenize pool is closed'));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        queue.push({ id, input, options: cloneable(options) });
        dispatch();
      }),
    close: async () => {
      closed = true;
      for (const p of pending.values()) p.reject(new Error('tokenize pool closed'));
      pending.clear();
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
