// The floor of every link-prediction bound in the general module's tests: what a model that ranks at random scores
// (H_n / n: 0.062 for n = 80, 0.052 for 100, 0.045 for 120), the core's own formula (its chance-level warning).
export { randomRankingMrr } from '../../src/core/learning-warnings.js';
