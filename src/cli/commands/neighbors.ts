/** `kgdistill neighbors`: the nearest entities of an entity in a trained run's embedding space. */
import type { Command } from 'commander';
import { initBackend, type BackendRequest } from '../../core/backend.js';
import { CheckpointLookup } from '../../lookup/checkpoint-lookup.js';
import { formatNeighbors } from '../lookup-format.js';
import { addLookupOptions, noticeToStderr, withKFlag } from './lookup-options.js';
import { positiveInteger } from '../integer-flag.js';
import { runReadingOptions } from '../../pipeline/options.js';

interface NeighborsFlags { checkpoint: string; entity: string; k: number; exact?: boolean; last?: boolean; backend: BackendRequest; json?: boolean }

/** Adds `kgdistill neighbors`. */
export function registerNeighborsCommand(program: Command): void {
  addLookupOptions(
    program
      .command('neighbors')
      .description('nearest entities by embedding distance (Poincaré distance at c = 1 for hyperbolic models), via an HNSW index saved beside the checkpoint')
      .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
      .requiredOption('--entity <id|name>', 'entity key, readable name (case-insensitive) or id:<n>')
      .option('--k <n>', 'number of neighbours', positiveInteger, 10)
      .option('--exact', 'scan all entities instead of using the index'),
  ).action(async (flags: NeighborsFlags) => {
    await initBackend(flags.backend);
    const lookup = await CheckpointLookup.open(flags.checkpoint, { stem: flags.last ? 'last' : undefined, onNotice: noticeToStderr, reading: runReadingOptions(flags.checkpoint, noticeToStderr) });
    try {
      const result = await withKFlag(() => lookup.neighbors(flags.entity, flags.k, { exact: flags.exact }));
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatNeighbors(result)}\n`);
    } finally {
      lookup.close();
    }
  });
}
