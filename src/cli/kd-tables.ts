/**
 * The text form of a method-vs-baseline comparison on the digits (the `kgdistill kd <method>` output): accuracy
 * per seed and mean ± std for the baseline, the method, their paired difference and the method's extra figures;
 * and the "mean ± std" cell every `kd` and `bench:general*` table prints.
 */
import { formatTable } from './format-table.js';
import type { ComparisonReport } from '../general/images/runner.js';
import type { MeanStd } from '../general/stats.js';

/** "0.9533 ± 0.0040" (fractions) or "95.33 ± 0.40" with `percent`. */
export function formatMeanStd(stats: MeanStd, options: { percent?: boolean; digits?: number; signed?: boolean } = {}): string {
  const scale = options.percent ? 100 : 1;
  const digits = options.digits ?? (options.percent ? 2 : 4);
  const mean = (stats.mean * scale).toFixed(digits);
  return `${options.signed && stats.mean >= 0 ? '+' : ''}${mean} ± ${(stats.std * scale).toFixed(digits)}`;
}

/** The header line: method, data, architecture, budget, seeds. */
export function describeRun(report: ComparisonReport): string {
  const d = report.dataset;
  const b = report.budget;
  return `${report.title}\n${d.name} (${d.train.toLocaleString('en-US')} train / ${d.test} test, stratified, split seed ${d.splitSeed}${d.verified ? ', SHA-256 verified' : ''}); ` +
    `${report.arch}; ${b.epochs} ${report.epochsAre}, batch ${b.batchSize}, ${report.optimizer}; seeds ${report.seeds.map((s) => s.seed).join(',')}`;
}

/** The comparison as an aligned table: baseline, method, paired difference and extra figures, per seed and mean ± std. */
export function formatComparison(report: ComparisonReport): string {
  const seedHeaders = report.seeds.map((s) => `seed ${s.seed}`);
  const rows: (string | number)[][] = [
    [`baseline: ${report.baseline}`, formatMeanStd(report.summary.baseline), ...report.seeds.map((s) => s.baseline.accuracy.toFixed(4))],
    [report.method, formatMeanStd(report.summary.method), ...report.seeds.map((s) => s.method.accuracy.toFixed(4))],
    ['difference (paired)', formatMeanStd(report.summary.difference, { signed: true }), ...report.seeds.map((s) => signed(s.method.accuracy - s.baseline.accuracy))],
  ];
  for (const [name, stats] of Object.entries(report.summary.extra)) {
    // a count (SimCLRv2's labelled images) is whole in every seed and above 1 in one: printed without decimals (an
    // accuracy or fraction of exactly 0 or 1 is not a count)
    const values = report.seeds.map((s) => s.method.extra?.[name] ?? 0);
    const whole = values.every(Number.isInteger) && values.some((v) => v > 1);
    // (the mean of counts need not be whole: one decimal)
    rows.push([`(${name})`, formatMeanStd(stats, { digits: whole ? 1 : 4 }), ...report.seeds.map((s) => s.method.extra?.[name]?.toFixed(whole ? 0 : 4) ?? '')]);
  }
  const table = formatTable(rows, { header: ['', 'accuracy (mean ± std)', ...seedHeaders], align: ['left', 'right', ...seedHeaders.map(() => 'right' as const)] });
  const minutes = (report.seconds / 60).toFixed(1);
  return `${describeRun(report)}\n${table}\nmeasured: ${report.measures}; ${minutes} min`;
}

/** A difference with its sign: "+0.0123", "-0.0045". */
export function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}
