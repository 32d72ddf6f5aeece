// Percentiles (numpy's linear interpolation) and the median.

/** numpy.percentile (linear interpolation) of a sorted array. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** numpy.percentile of non-negative integers given as a histogram. */
export function percentileHistogram(hist: Float64Array, total: number, p: number): number {
  if (total === 0) return 0;
  const pos = (p / 100) * (total - 1);
  const lo = Math.floor(pos);
  const find = (k: number): number => {
    let c = 0;
    for (let v = 0; v < hist.length; v++) {
      c += hist[v]!;
      if (c > k) return v;
    }
    return hist.length - 1;
  };
  const a = find(lo);
  const b = lo + 1 < total ? find(lo + 1) : a;
  return a + (b - a) * (pos - lo);
}

export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}
