// Argument checks of the public functions: they run before any native call or file access and
// throw CodectokError ERR_INVALID_OPTION naming the function and the argument.
import { CodectokError } from './errors.js';

/** How a value is named in an error message. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return `a ${v.constructor.name}`;
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return `an object`;
  }
}

/** ERR_INVALID_OPTION: `fn: what must be expected, got value`. */
export function invalidArgument(fn: string, what: string, expected: string, got: unknown): CodectokError {
  return new CodectokError('ERR_INVALID_OPTION', `${fn}: ${what} must be ${expected}, got ${describeValue(got)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The options object of `fn` (or a nested one, `what`: 'options.limits'): undefined or a plain
 * object whose keys are all in `known` (an unknown name is a typo or an option of another
 * function: it is refused, not ignored).
 */
export function checkOptions(fn: string, options: unknown, known: readonly string[], what = 'options'): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw invalidArgument(fn, what, 'an object', options);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) {
    const kind = what === 'options' ? 'option' : `${what} name`;
    throw new CodectokError('ERR_INVALID_OPTION', `${fn}: unknown ${kind}${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return options;
}

/** `options[name]` is undefined or a boolean. */
export function checkBoolean(fn: string, options: Record<string, unknown>, name: string): void {
  const v = options[name];
  if (v !== undefined && typeof v !== 'boolean') throw invalidArgument(fn, `options.${name}`, 'true or false', v);
}

/** `options[name]` is undefined or one of `values`. */
export function checkOneOf(fn: string, options: Record<string, unknown>, name: string, values: readonly unknown[]): void {
  const v = options[name];
  if (v !== undefined && !values.includes(v)) throw invalidArgument(fn, `options.${name}`, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
}

/** `options[name]` is undefined or a function. */
export function checkFunction(fn: string, options: Record<string, unknown>, name: string): void {
  const v = options[name];
  if (v !== undefined && typeof v !== 'function') throw invalidArgument(fn, `options.${name}`, 'a function', v);
}

/** `options[name]` is undefined or a finite number >= min (an integer when `integer`). */
export function checkNumber(fn: string, options: Record<string, unknown>, name: string, min: number, integer = false): void {
  const v = options[name];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw invalidArgument(fn, `options.${name}`, `a${integer ? 'n integer' : ' number'} >= ${min}`, v);
  }
}

/** A file path: a non-empty string. */
export function checkPath(fn: string, what: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.length === 0) throw invalidArgument(fn, what, 'a file path (non-empty string)', v);
}
