/**
 * Text forms of comparison reports (the `kgdistill kd` output, on images and for the KG port) and the parsing of
 * `--param key=value` hyper-parameters (JSON values when they parse, else strings; dotted keys nest).
 */
import { formatTable } from '../cli/format-table.js';
import type { ComparisonReport } from './runner.js';
import type { KgComparison } from './kg/peer-run.js';
import { formatMeanStd } from './stats.js';

/** The header line: method, data, architecture, budget, seeds. */
export function describeRun(report: ComparisonReport): string {
  const d = report.dataset;
  const b = report.budget;
  return `${report.title}\n${d.name} (${d.train.toLocaleString('en-US')} train / ${d.test} test, stratified, split seed ${d.splitSeed}${d.verified ? ', SHA-256 verified' : ''}); ` +
    `${report.arch}; ${b.epochs} epochs, batch ${b.batchSize}, Adam ${b.learningRate}; seeds ${report.seeds.map((s) => s.seed).join(',')}`;
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
    rows.push([`(${name})`, formatMeanStd(stats), ...report.seeds.map((s) => s.method.extra?.[name]?.toFixed(4) ?? '')]);
  }
  const table = formatTable(rows, { header: ['', 'accuracy (mean ± std)', ...seedHeaders], align: ['left', 'right', ...seedHeaders.map(() => 'right' as const)] });
  const minutes = (report.seconds / 60).toFixed(1);
  return `${describeRun(report)}\n${table}\nmeasured: ${report.measures}; ${minutes} min`;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}

/** Parses `key=value` pairs into a parameter object (values as JSON when possible; `a.b=1` → { a: { b: 1 } }). */
export function parseParamPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--param expects key=value (got '${pair}')`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string
    }
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || next === null) throw new Error(`--param ${key}: '${part}' is already set to a value`);
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return out;
}

/** `--seeds 3` → [0, 1, 2]; `--seeds 4,7` → [4, 7]. */
export function parseSeeds(value: string): number[] {
  const text = value.trim();
  const seeds = text.includes(',') ? text.split(',').map((s) => Number(s.trim())) : Array.from({ length: Number(text) }, (_, i) => i);
  if (!text.includes(',') && !(Number.isInteger(Number(text)) && Number(text) >= 1)) throw new Error(`--seeds must be a count ≥ 1 or a comma-separated list (got '${value}')`);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds: every seed must be a non-negative integer (got '${value}')`);
  return seeds;
}

/** The KG port comparison as a table: single student, the pair's two students, and the paired difference in MRR. */
export function formatKgComparison(report: KgComparison): string {
  const o = report.options;
  const seedHeaders = report.seeds.map((s) => `seed ${s.seed}`);
  const rows: (string | number)[][] = [
    ['single student', formatMeanStd(report.summary.single), ...report.seeds.map((s) => s.single.mrr.toFixed(4))],
    [`${report.mode} pair, student A`, formatMeanStd(report.summary.pairA), ...report.seeds.map((s) => s.pair.a.mrr.toFixed(4))],
    [`${report.mode} pair, student B`, formatMeanStd(report.summary.pairB), ...report.seeds.map((s) => s.pair.b.mrr.toFixed(4))],
    ['difference A − single', formatMeanStd(report.summary.difference, { signed: true }), ...report.seeds.map((s) => signed(s.pair.a.mrr - s.single.mrr))],
  ];
  const table = formatTable(rows, { header: ['', 'test MRR (mean ± std)', ...seedHeaders], align: ['left', 'right', ...seedHeaders.map(() => 'right' as const)] });
  return `KG port of ${report.mode === 'dml' ? 'DML' : 'DoGo'}: two ${o.model} d=${o.dim} students vs one, ${report.dataset}; ${o.epochs} epochs, batch ${o.batchSize}, ` +
    `${o.optimizer} ${o.learningRate}${report.mode === 'dml' ? `, ${o.negatives} negatives` : ', in-batch negatives'}, λ ${o.weight}, T ${o.temperature}\n${table}\n` +
    `filtered test MRR, both directions; ${(report.seconds / 60).toFixed(1)} min`;
}
