/** `kgdistill predict`: the top-k answers of a link-prediction query by a trained model's own score. */
import type { Command } from 'commander';
import { initBackend, type BackendRequest } from '../../core/backend.js';
import { CheckpointLookup } from '../../lookup/checkpoint-lookup.js';
import { headOrTailMessage, listOnlyMessage } from '../../lookup/predict-form.js';
import { formatPredictions, formatTripleScore } from '../lookup-format.js';
import { addDatasetOption, addLookupOptions, lookupJsonLine, noticeToStderr, requireNonEmptyNames, withKFlag } from './lookup-options.js';
import { positiveInteger } from '../integer-flag.js';
import { DEFAULT_ANSWER_COUNT } from '../../lookup/answer-count.js';
import { runReadingOptions } from '../../pipeline/options.js';
import { conflictingOptions } from '../../pipeline/options-error.js';

interface PredictFlags {
  checkpoint: string; head?: string; tail?: string; relation: string; k?: number;
  filtered?: boolean; exact?: boolean; last?: boolean; backend: BackendRequest; json?: boolean; dataset?: string;
}

/** Adds `kgdistill predict`. */
export function registerPredictCommand(program: Command): void {
  addLookupOptions(addDatasetOption(
    program
      .command('predict')
      .description('top-k tails of (head, relation, ?) or heads of (?, relation, tail) by the model score (exact: every entity scored by the top-K kernels; heads are the answers of the reciprocal query (tail, relation⁻¹, ?), as in training and evaluation, and carry its scores); with --head, --relation and --tail: the score of that triple and the filtered rank of its tail')
      .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
      .option('--head <id|name>', 'predict tails of this head')
      .option('--tail <id|name>', 'predict heads of this tail (with --head too: score this one triple)')
      .requiredOption('--relation <name|id>', 'relation name (case-insensitive) or id')
      .option('--k <n>', `number of answers (default ${DEFAULT_ANSWER_COUNT}, or fewer when the model has fewer entities)`, positiveInteger)
      .option('--filtered', 'remove known-true answers (train, valid and test triples) instead of marking them')
      .option('--exact', 'accepted for compatibility: predictions always score every entity'),
  )).action(async (flags: PredictFlags, command: Command) => {
    // usage errors (exit 2), before the run is read
    requireNonEmptyNames({ '--head': flags.head, '--relation': flags.relation, '--tail': flags.tail });
    if (flags.head === undefined && flags.tail === undefined) throw conflictingOptions(headOrTailMessage('--head', '--tail'), ['head', 'tail'], { ...flags });
    if (flags.head !== undefined && flags.tail !== undefined) {
      const listOnly = [command.getOptionValueSource('k') === 'cli' ? 'k' : undefined, flags.filtered ? 'filtered' : undefined].filter((f) => f !== undefined);
      if (listOnly.length > 0) throw conflictingOptions(listOnlyMessage(listOnly.map((key) => `--${key}`), '--head', '--tail'), [...listOnly, 'head', 'tail'], { ...flags });
    }
    await initBackend(flags.backend);
    const lookup = await CheckpointLookup.open(flags.checkpoint, { stem: flags.last ? 'last' : undefined, onNotice: noticeToStderr, reading: runReadingOptions(flags.checkpoint, noticeToStderr), dataset: flags.dataset });
    try {
      if (flags.head !== undefined && flags.tail !== undefined) {
        const scored = await lookup.score(flags.head, flags.relation, flags.tail);
        process.stdout.write(flags.json ? lookupJsonLine(scored, lookup) : `${formatTripleScore(scored)}\n`);
        return;
      }
      const result = await withKFlag(() => lookup.predict({ head: flags.head, tail: flags.tail, relation: flags.relation, k: flags.k, filtered: flags.filtered, exact: flags.exact }), flags.k);
      process.stdout.write(flags.json ? lookupJsonLine(result, lookup) : `${formatPredictions(result)}\n`);
    } finally {
      lookup.close();
    }
  });
}
