// Public API of codectok. Keep this a plain list of re-exports.
export * from './errors.js';
export * from './parser.js';
export * from './mp4_demux.js';
export * from './npy.js';
export * from './dump.js';
export * from './shard/api.js';
export * from './tokenizer_api.js';
export * from './bench/api.js';
