// The floor of every link-prediction bound in the general module's tests: what a model that ranks at random scores.

/** The expected MRR of a uniformly random ranking of n entities, H_n / n (0.062 for n = 80, 0.052 for 100, 0.045 for 120). */
export function randomRankingMrr(n: number): number {
  let harmonic = 0;
  for (let k = 1; k <= n; k++) harmonic += 1 / k;
  return harmonic / n;
}
