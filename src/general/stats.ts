/** Summary statistics of a few seeds' results. */

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation of values. */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** "0.9533 ± 0.0040" (fractions) or "95.33 ± 0.40" with `percent`. */
export function formatMeanStd(stats: MeanStd, options: { percent?: boolean; digits?: number; signed?: boolean } = {}): string {
  const scale = options.percent ? 100 : 1;
  const digits = options.digits ?? (options.percent ? 2 : 4);
  const mean = (stats.mean * scale).toFixed(digits);
  return `${options.signed && stats.mean >= 0 ? '+' : ''}${mean} ± ${(stats.std * scale).toFixed(digits)}`;
}
