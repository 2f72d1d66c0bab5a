/**
 * Loading a run's dataset within its kernel memory (run-memory.ts entityLimitOf): Node only, as the reader is; the
 * memory figures themselves stay in run-memory.ts, which the page's worker imports too.
 */
import { EntityLimitError, loadDataset, type KgDataset, type LoadOptions } from '../kg/dataset.js';
import { readerErrorNamed, type OptionNaming } from './option-schemas.js';
import { entityLimitRefusal, type EntityLimits, type MemoryPlan } from './run-memory.js';

/**
 * Loads the run's dataset, stopping, refused in the memory check's words (entityLimitRefusal), once the data names
 * more entities than `plan` allows; without a plan (the model cannot be made before loading), unbounded. A bound
 * passed by counts that fit after all (entityLimitOf) loads the dataset again without it: the files are read, and
 * their checksums verified, a second time. Any other reading error is thrown with its hints named as the caller
 * names options (`naming`).
 */
export async function loadWithinMemory(spec: string, options: LoadOptions, plan: (MemoryPlan & EntityLimits) | undefined,
  naming: OptionNaming | undefined): Promise<KgDataset> {
  const load = (bound: LoadOptions): Promise<KgDataset> => loadDataset(spec, bound).catch((error: unknown) => {
    throw error instanceof EntityLimitError ? error : readerErrorNamed(error, naming); // a bound's, said by the caller
  });
  if (!plan) return load(options);
  try {
    // the lower bound only when lower: equal on a native backend, or at the batch floor, and then no valid probe is needed
    const withValid = plan.maxEntitiesWithValid < plan.maxEntities ? { maxEntitiesWithValid: plan.maxEntitiesWithValid } : {};
    return await load({ ...options, maxEntities: plan.maxEntities, ...withValid });
  } catch (error) {
    if (!(error instanceof EntityLimitError)) throw error;
    const refusal = entityLimitRefusal(plan, error);
    if (refusal) throw refusal;
    return load(options); // valid or test past a bound sized for full batches, with a train split under one batch
  }
}
