/** Text tables for `neighbors` and `predict` results. */
import { formatTable } from './format-table.js';
import type { NeighborsResult, PredictResult, TripleScore } from '../lookup/checkpoint-lookup.js';

const label = (e: { key: string; name?: string }): string => (e.name !== undefined && e.name !== e.key ? `${e.name} (${e.key})` : e.key);

/**
 * A score, distance or similarity for the table: four decimals, but a value under 0.001 (an early run's DistMult
 * scores, at an init of 0.001) in exponent notation, so that a ranking of small values shows and none is "-0.0000".
 */
export function formatScore(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) < 1e-3 ? value.toExponential(3) : value.toFixed(4);
}

/** The neighbours as a ranked table with a one-line heading. */
export function formatNeighbors(result: NeighborsResult): string {
  const measure = { dot: 'inner product', poincare: `Poincaré distance, c = ${result.curvature}`, l1: 'L1 distance', 'complex-l1': 'L1 distance of complex moduli', euclidean: 'Euclidean distance' }[result.metric];
  const heading = `nearest entities of ${label(result.entity)} by ${measure} (${result.method})`;
  const rows = result.neighbors.map((n) => [n.rank, label(n), formatScore(n.distance ?? n.similarity ?? 0), String(n.id)]); // ids as `--entity id:<n>` takes them: no separators
  return `${heading}\n${formatTable(rows, { header: ['rank', 'entity', result.metric === 'dot' ? 'similarity' : 'distance', 'id'] })}`;
}

/** The answers as a ranked table; known-true answers are marked with ✓. */
export function formatPredictions(result: PredictResult): string {
  const asked = result.direction === 'tails' ? `(${label(result.given)}, ${result.relation.key}, ?)` : `(?, ${result.relation.key}, ${label(result.given)})`;
  const how = `${result.method}, ${result.scored.toLocaleString('en-US')} scored${result.filtered ? ', known answers removed' : ''}`;
  // without the run's dataset nothing is known either way: no `known` column (a blank one would read as "not known")
  const marked = result.answers.some((a) => a.known !== undefined);
  const rows = result.answers.map((a) => [a.rank, label(a), formatScore(a.score), ...(marked ? [a.known ? '✓' : ''] : []), String(a.id)]);
  const note = result.note ? `\nnote: ${result.note}` : '';
  // heads are answers of the reciprocal query (t, r⁻¹, ?), as in training and evaluation: their scores are those of
  // that query, not score(h, r, t) (predict --head --relation --tail scores the triple itself)
  const scoredAs = result.direction === 'heads' ? `, scored as (${label(result.given)}, ${result.relation.key}⁻¹, ?)` : '';
  return `top ${result.answers.length} ${result.direction} of ${asked} by model score (${how}${scoredAs})${note}\n${formatTable(rows, { header: ['rank', 'entity', 'score', ...(marked ? ['known'] : []), 'id'] })}`;
}

/** One scored triple: its score, the filtered (and raw) rank of its tail, whether it is known. */
export function formatTripleScore(s: TripleScore): string {
  const rank = s.rank.filtered !== undefined ? `filtered rank ${s.rank.filtered} (raw ${s.rank.raw})` : `raw rank ${s.rank.raw} (the run's dataset is not loaded: no filtering)`;
  return `(${label(s.head)}, ${s.relation.key}, ${label(s.tail)}): score ${formatScore(s.score)}, ${rank} among tails of (${label(s.head)}, ${s.relation.key}, ?)${s.known === undefined ? '' : s.known ? '; a known triple' : '; not a known triple'}`;
}
