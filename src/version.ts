// The package's version, read once from package.json (written into every tokenization's meta).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `version` of codectok's package.json. */
export const VERSION: string = (require('../package.json') as { version: string }).version;
