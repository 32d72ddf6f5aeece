// NumPy read-back checks in a test of their own (a helper, not a test file; kept apart from
// shard_helpers.ts, which child processes import without vitest).
import { expect, it } from 'vitest';
import { numpyMissing } from './shard_helpers.js';

/**
 * The NumPy read-back checks of a test file, in a test of their own: where python3 + numpy is
 * missing that test shows as skipped, with the reason in its name, instead of the checks being
 * left out of a test that passes (.ci/run installs python3-numpy, so they run in CI). The tests
 * that write datasets queue their checks with add(); test() declares the read-back test, after
 * them in the file, and fails when fewer checks than `expected` were queued (a writing test that
 * stopped early).
 */
export function numpyReadBacks() {
  const checks: { what: string; run: () => void }[] = [];
  return {
    add(what: string, run: () => void) {
      checks.push({ what, run });
    },
    /** `skipWhen`: a reason known only once the tests run (the datasets were not written: their own test skipped). */
    test(name: string, expected: number, timeout = 120_000, skipWhen: () => string | null = () => null) {
      const reason = numpyMissing();
      it.skipIf(reason !== null)(reason ? `${name} (skipped: ${reason})` : name, (ctx) => {
        const later = skipWhen();
        if (later) ctx.skip(later);
        expect(checks.map((c) => c.what), 'every dataset-writing test above queued its read-back').toHaveLength(expected);
        for (const c of checks) c.run();
      }, timeout);
    },
  };
}
