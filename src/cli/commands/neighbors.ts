/** `kgdistill neighbors`: the nearest entities of an entity in a trained run's embedding space. */
import type { Command } from 'commander';
import { initBackend, type BackendRequest } from '../../core/backend.js';
import { CheckpointLookup } from '../../lookup/checkpoint-lookup.js';
import { formatNeighbors } from '../lookup-format.js';
import { addDatasetOption, addLookupOptions, lookupJsonLine, noticeToStderr, requireNonEmptyNames, withKFlag } from './lookup-options.js';
import { positiveInteger } from '../integer-flag.js';
import { DEFAULT_ANSWER_COUNT } from '../../lookup/answer-count.js';
import { runReadingOptions } from '../../pipeline/options.js';
import { conflictingOptions } from '../../pipeline/options-error.js';

interface NeighborsFlags { checkpoint: string; entity: string; k?: number; exact?: boolean; index?: boolean; last?: boolean; backend: BackendRequest; json?: boolean; dataset?: string }

/**
 * Adds `kgdistill neighbors`. One query per process: the exact sweep of every entity by the top-K kernels is the
 * default, as fast as loading the HNSW index and exact (150,000 entities, d = 16: 2.9–3.6 s either way, the index
 * 50–70 MB more, and its first build 35–60 s; docs/RESULTS.md, 2026-12-06). The index pays in a process that
 * answers many queries (`serve`, `openModel`); `--index` answers from it here, building it for them.
 */
export function registerNeighborsCommand(program: Command): void {
  addLookupOptions(addDatasetOption(
    program
      .command('neighbors')
      .description('nearest entities by embedding distance (L1 or L2 for distance models, inner product for bilinear ones, Poincaré distance at c = 1 for hyperbolic ones): every entity scored (exact), or with --index via the HNSW index saved beside the checkpoint')
      .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
      .requiredOption('--entity <id|name>', 'entity key, readable name (case-insensitive), id:<n>, or a bare number as an id when no key is a number')
      .option('--k <n>', `number of neighbours (default ${DEFAULT_ANSWER_COUNT}, or fewer when the model has fewer entities)`, positiveInteger)
      .option('--exact', 'score every entity (the default: one query is as fast as through the index, and exact)')
      .option('--index', "answer from the HNSW index saved beside the checkpoint, building it on first use (35–60 s per 150,000 entities): approximate, and what serve and openModel use"),
  )).action(async (flags: NeighborsFlags) => {
    requireNonEmptyNames({ '--entity': flags.entity });
    if (flags.index && flags.exact) throw conflictingOptions('--index and --exact: give one (the exact sweep is the default)', ['index', 'exact'], { ...flags });
    await initBackend(flags.backend);
    const lookup = await CheckpointLookup.open(flags.checkpoint, { stem: flags.last ? 'last' : undefined, onNotice: noticeToStderr, reading: runReadingOptions(flags.checkpoint, noticeToStderr), dataset: flags.dataset });
    try {
      const result = await withKFlag(() => lookup.neighbors(flags.entity, flags.k, { exact: flags.index !== true }), flags.k);
      process.stdout.write(flags.json ? lookupJsonLine(result, lookup) : `${formatNeighbors(result)}\n`);
    } finally {
      lookup.close();
    }
  });
}
