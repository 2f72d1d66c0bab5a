/**
 * The hooks of `train` and `distill` (how a run reports what it does, and how it is stopped), checked by key before a
 * run starts as their options are: a misspelt hook (`shouldstop`, `events.onEpochEnds`) would never be called, so a
 * run meant to stop would train on. A key that holds no function is not a hook and is let be.
 */
import { z } from 'zod';
import { callbackOption } from '../kg/load-options.js';
import { parseOptions, type OptionNaming } from './option-schemas.js';
import type { TrainerEvents } from '../core/trainer.js';

/** How a job reports what it does (all optional): lines for the user, the trainer's progress, a stop request. */
export interface RunHooks {
  log?: (line: string) => void;
  events?: TrainerEvents;
  /** The final test evaluation starts (training is over and saved in `runDir`; `evalCommand` gives the same test later). */
  onTestStart?: (runDir: string, evalCommand: string) => void;
  /** Progress of the final test evaluation. */
  onTestProgress?: (done: number, total: number) => void;
  /** Progress of reading the dataset's files (bytes). */
  onLoadProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Checked after every step: true saves the position and returns (Ctrl-C, SIGTERM, SIGHUP). */
  shouldStop?: () => boolean;
  /** Aborted on the first stop signal: stops a download of the dataset (the steps are stopped by `shouldStop`). */
  signal?: AbortSignal;
  /** How option errors name options: flags in the shell, keys in code. */
  naming?: OptionNaming;
  /** Where a key's value came from when not from a flag or the options object (e.g. `--config run.json`), for errors. */
  keySources?: Readonly<Record<string, string>>;
  /** The keys whose value a replayed run's config.json (`--config`) gave as a default it resolved: the new run's config.json marks them so too. */
  replayedDefaults?: readonly string[];
}

/** What each key of TrainerEvents accepts (a function). */
const eventsSchema = z.object({
  onRunStart: callbackOption, onEpochStart: callbackOption, onStep: callbackOption, onEpochEnd: callbackOption,
  onValidationStart: callbackOption, onValidationProgress: callbackOption, onNewBest: callbackOption,
} satisfies Record<keyof TrainerEvents, z.ZodType>).partial().strict();

/** What each key of RunHooks accepts; `events` is checked key by key next. */
const hooksSchema = z.object({
  log: callbackOption,
  events: z.object({}).loose(),
  onTestStart: callbackOption,
  onTestProgress: callbackOption,
  onLoadProgress: callbackOption,
  shouldStop: callbackOption,
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }),
  naming: z.enum(['key', 'flag'], { error: 'must be key or flag' }),
  keySources: z.record(z.string(), z.string(), { error: 'must map keys to where each came from' }),
  replayedDefaults: z.array(z.string(), { error: 'must list option keys' }),
} satisfies Record<keyof RunHooks, z.ZodType>).partial().strict();

/**
 * Throws an OptionsError naming the hook (`hooks: unknown key 'shouldstop' (did you mean 'shouldStop'?)`) when `hooks`
 * has a function under a key RunHooks does not have, or a known hook of the wrong type. Other keys (state an object of
 * handlers keeps beside them) are let be: only a function is a hook meant and never called.
 */
export function checkRunHooks(hooks: unknown): void {
  checkHandlers(hooksSchema, hooks, 'hooks');
  const events = (hooks as RunHooks).events;
  if (events !== undefined) checkHandlers(eventsSchema, events, 'hooks.events');
}

/** Checks the keys of `given` the schema knows, and every function-valued one it does not, named after `source`. */
function checkHandlers(schema: z.ZodObject, given: unknown, source: string): void {
  const known = Object.keys(schema.shape);
  const checked = typeof given === 'object' && given !== null && !Array.isArray(given)
    ? Object.fromEntries(Object.entries(given).filter(([key, value]) => known.includes(key) || typeof value === 'function'))
    : given;
  parseOptions(schema, checked, 'key', source);
}
