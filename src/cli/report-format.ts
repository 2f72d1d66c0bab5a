/** Formatting evaluation reports for the terminal and for `--json`. */
import { evaluationSummary, type EvaluationReport } from '../eval/evaluate.js';
import type { SampledEvaluationReport } from '../eval/sampled-evaluation.js';
import type { LinkPredictionMetrics } from '../eval/metrics.js';
import type { RelationMetrics } from '../eval/relation-breakdown.js';
import { formatTable } from './format-table.js';

/** The columns of a metrics table. */
const METRICS_HEADER = ['', 'MRR', 'H@1', 'H@3', 'H@10', 'MR', 'queries'];

/** One labelled row of a metrics table. */
function row(label: string, m: LinkPredictionMetrics): (string | number)[] {
  return [label, m.mrr.toFixed(4), m['hits@1'].toFixed(4), m['hits@3'].toFixed(4), m['hits@10'].toFixed(4), m.mr.toFixed(1), m.count];
}

/** A metrics table: filtered and raw, both directions and each direction. */
export function formatEvaluation(report: EvaluationReport): string {
  const rows = [
    row('filtered', report.filtered),
    row('filtered, tails', report.byDirection.tail.filtered),
    row('filtered, heads', report.byDirection.head.filtered),
    row('raw', report.raw),
  ];
  if (report.byCategory) {
    for (const [category, metrics] of Object.entries(report.byCategory)) {
      if (metrics.tail.count > 0) rows.push(row(`filtered, ${category}, tails`, metrics.tail));
      if (metrics.head.count > 0) rows.push(row(`filtered, ${category}, heads`, metrics.head));
    }
  }
  const table = formatTable(rows, { header: METRICS_HEADER });
  const uncategorized = report.uncategorizedQueries
    ? `\n(${report.uncategorizedQueries} queries are in no category: their relation has no training triple)`
    : '';
  return `${table}\n(ties ranked as the ${report.ties}; ${report.seconds.toFixed(1)} s)${uncategorized}`;
}

/** The per-relation table of `eval --by-relation`: one row per relation, both directions (filtered, realistic ties). */
export function formatRelations(relations: readonly RelationMetrics[]): string {
  return formatTable(relations.map((r) => row(r.relation, r.both)), { header: ['relation', ...METRICS_HEADER.slice(1)] });
}

/** A sampled evaluation's table (both directions and each) with its protocol. */
export function formatSampled(report: SampledEvaluationReport): string {
  const rows = [row('sampled', report.filtered), row('sampled, tails', report.byDirection.tail), row('sampled, heads', report.byDirection.head)];
  return `${formatTable(rows, { header: METRICS_HEADER })}\n(${report.protocol}; ${report.seconds.toFixed(1)} s)`;
}

/** The flat headline object printed as the last stdout line with --json. */
export function evaluationJson(report: EvaluationReport, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...evaluationSummary(report), ...extra };
}
