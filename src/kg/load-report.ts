/**
 * What loading a dataset did (LoadReport: files, lines, duplicates, unseen and shared triples per split) and its
 * lines in words, without a file system: the in-memory datasets (bytes-dataset.ts) report with them too. The
 * checksums line, about files on disk, is dataset.ts's (formatLoadReport).
 */
import type { SplitOverlap } from './dataset-encode.js';
import { suspectHeaderLine, type SuspectHeader } from './header-suspect.js';
import { plural } from './plural.js';
import type { SkippedHeader } from './tab-triples.js';
import { SPLIT_NAMES, type SplitName, type UnseenPolicy } from './types.js';

/** What loading did: files, lines read, duplicates and unseen triples per split, the policy and checksum status. */
export interface LoadReport {
  files: Record<SplitName, string>;
  /** Triple lines read per split (comments, blank lines and a header excluded). */
  lines: Record<SplitName, number>;
  /** Comment lines (starting with `#`) skipped per split: a name that starts with `#` must be quoted in a CSV. */
  comments: Record<SplitName, number>;
  /** The first line of each split that was skipped as a header (named columns, or `--header yes`). */
  headers?: Partial<Record<SplitName, SkippedHeader>>;
  /**
   * The valid/test lines of `headers` that only `--header yes` made headers (no recognised header line) and that share a
   * name with the triples read: most likely triples, lost.
   */
  headerTriples?: Partial<Record<'valid' | 'test', SkippedHeader>>;
  /** Repeated triples per split, kept once. */
  duplicates: Record<SplitName, number>;
  /** Valid/test lines whose entity or relation is not in train (dropped, kept or rejected per `unseenPolicy`). */
  unseen: Record<'valid' | 'test', number>;
  unseenPolicy: UnseenPolicy;
  /** Triples in two splits at once (kept: a leak from train into evaluation that the user should know of). */
  overlap: SplitOverlap;
  /** Checksum status; `skipped` when verification was turned off (`verify: false`). */
  manifest: { verified: boolean; skipped?: boolean; listed?: string[] };
  /** Train's first line when `header: 'auto'` read it as a triple whose three names occur nowhere else (header-suspect.ts). */
  suspectHeader?: SuspectHeader;
}

/** ", header line 1 skipped ("head,relation,tail")", or nothing. */
function headerText(header: SkippedHeader | undefined): string {
  if (!header) return '';
  const shown = header.text.length > 60 ? `${header.text.slice(0, 57)}...` : header.text;
  return `, header line ${header.line} skipped ("${shown}")`;
}

/** Formats an integer with thousands separators (14,541). */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Whether any triple is in two splits. */
export function hasSharedTriples(o: SplitOverlap): boolean {
  return o.validInTrain + o.testInTrain + o.testInValid > 0;
}

/** "0 valid and 2 test triples also in train, 0 test triples also in valid". */
export function sharedTriplesText(o: SplitOverlap): string {
  return `${count(o.validInTrain)} valid and ${count(o.testInTrain)} test ${plural(o.testInTrain, 'triple')} also in train, ` +
    `${count(o.testInValid)} test ${plural(o.testInValid, 'triple')} also in valid`;
}

/** "overlap: 0 valid and 2 test triples also in train, 0 test triples also in valid (kept; …)". */
export function overlapLine(o: SplitOverlap): string {
  return `overlap: ${sharedTriplesText(o)}` +
    (hasSharedTriples(o) ? ' (kept: their ranks measure what the model saw in training, not prediction; remove them from the files to exclude them)' : '');
}

/** The load report's lines of what was read (splits, unseen triples, overlap, a suspect header): all but the checksums line (dataset.ts). */
export function readReportLines(report: LoadReport): string[] {
  const lines: string[] = [];
  for (const split of SPLIT_NAMES) {
    const duplicates = report.duplicates[split];
    const comments = report.comments[split];
    lines.push(
      `${split}: ${count(report.lines[split])} ${plural(report.lines[split], 'triple')} read from ${report.files[split]}, ` +
        `${count(duplicates)} ${plural(duplicates, 'duplicate')}${duplicates > 0 ? ' (kept once)' : ''}` +
        (comments > 0 ? `, ${count(comments)} comment ${plural(comments, 'line')} (#) skipped` : '') +
        headerText(report.headers?.[split]),
    );
  }
  const verb = { drop: 'dropped', keep: 'kept', error: 'rejected' }[report.unseenPolicy];
  for (const split of ['valid', 'test'] as const) {
    const unseen = report.unseen[split];
    lines.push(
      `${split}: ${count(unseen)} ${plural(unseen, 'triple')} with entities or relations unseen in train ${verb} (--unseen ${report.unseenPolicy})`,
    );
  }
  lines.push(overlapLine(report.overlap));
  if (report.suspectHeader) lines.push(suspectHeaderLine(report.files.train, report.suspectHeader));
  return lines;
}
