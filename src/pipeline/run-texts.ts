/** How a run names its data and its results in lines and reports: the load's counts, warnings, the best validation, the eval command. */
import type { KgDataset } from '../kg/dataset.js';
import type { CommonSettings } from './options.js';
import type { DataSummary, SkippedLine } from './public-results.js';
import { shellQuote } from './shell-quote.js';

/** Counts of what loading dropped, merged or skipped (comments, header lines). */
export function dataSummary(dataset: KgDataset): DataSummary {
  const r = dataset.report;
  return {
    unseenPolicy: r.unseenPolicy, unseen: { ...r.unseen }, duplicates: { ...r.duplicates }, overlap: { ...r.overlap }, comments: { ...r.comments }, headers: { ...r.headers },
    ...(r.headerTriples ? { headerTriples: { ...r.headerTriples } } : {}),
  };
}

/** The warning for a valid/test line `--header yes` skipped that looks like a triple (its names occur in the triples read). */
export function headerTripleWarning(file: string, skipped: SkippedLine): string {
  return `${file}:${skipped.line}: "${skipped.text}" was skipped as a header (--header yes), but it is no recognised header line and its names occur in the triples: if it is a triple, it is lost (--header yes skips the first line of every split: when only train has a header, delete that line there and leave --header out)`;
}

/** The `kgdistill eval` command that gives a run's test figures as its own test evaluation would (sampled when it samples). */
export function evalCommandOf(runDir: string, s: Pick<CommonSettings, 'evalCandidates' | 'evalSeed'>): string {
  return `kgdistill eval --checkpoint ${shellQuote(runDir)}${s.evalCandidates !== undefined ? ` --eval-candidates ${s.evalCandidates} --eval-seed ${s.evalSeed}` : ''}`;
}

/** How the log and the report name the best validation: its MRR and epoch, or that there was none. */
export function bestValidText(training: { bestValidMrr: number; bestEpoch: number; validCandidates?: number }): string {
  if (training.bestValidMrr < 0) return 'no validation (empty valid split)';
  return `best valid MRR ${training.bestValidMrr.toFixed(4)}${sampledText(training.validCandidates)} at epoch ${training.bestEpoch}`;
}

/** " (sampled: 50 candidates, not comparable with full ranking)" for a sampled validation, else nothing. */
function sampledText(candidates: number | undefined): string {
  return candidates === undefined ? '' : ` (sampled: ${candidates} candidates, not comparable with full ranking)`;
}
