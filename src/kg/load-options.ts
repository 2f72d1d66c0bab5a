/**
 * The options of `loadDataset`, checked before anything is read: a library caller's typo or bad value (`unseen:
 * 'purge'`, `columns: 'trh'`, `unsen: 'drop'`) is an error naming the key and the value, as `train`'s options are,
 * instead of a TypeError deep in the reader or a setting silently ignored.
 */
import { z } from 'zod';

/** A callback option (its arguments are the caller's business): anything but a function is refused. */
export const callbackOption = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: 'must be a function' });
/** A switch option: true or false, nothing else. */
export const trueOrFalse = z.boolean({ error: 'must be true or false' });
const column = z.number().int().min(0);
const columnPositions = z.tuple([column, column, column]).refine(([h, r, t]) => h !== r && h !== t && r !== t, { error: 'must name three different positions' });

/** An entity bound: a whole number ≥ 0. */
const entityBound = z.number({ error: 'must be a whole number ≥ 0' }).int({ error: 'must be a whole number ≥ 0' }).min(0, { error: 'must be a whole number ≥ 0' });

/** What each key of LoadOptions (dataset.ts) accepts. */
const loadOptionsSchema = z.object({
  unseen: z.enum(['keep', 'drop', 'error'], { error: 'must be one of keep, drop, error' }),
  verify: trueOrFalse,
  cwd: z.string({ error: 'must be a directory path' }),
  download: trueOrFalse,
  onProgress: callbackOption,
  delimiter: z.enum(['\t', ',', ' '], { error: "must be '\\t', ',' or ' '" }),
  columns: z.union([z.enum(['hrt', 'htr']), columnPositions], { error: "must be 'hrt', 'htr' or three different 0-based positions such as [0, 2, 1]" }),
  header: z.union([z.boolean(), z.literal('auto')], { error: "must be true, false or 'auto'" }),
  encoding: z.enum(['utf8', 'latin1'], { error: "must be 'utf8' or 'latin1'" }),
  onBytes: callbackOption,
  log: callbackOption,
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }),
  maxEntities: entityBound,
  maxEntitiesWithValid: entityBound,
}).partial().strict();

/** Throws an error naming the key and the value given when `options` is not valid LoadOptions. */
export function checkLoadOptions(options: unknown): void {
  if (options === undefined) return;
  const parsed = loadOptionsSchema.safeParse(options);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new TypeError(`loadDataset: unknown option ${issue.keys.map((key) => `'${key}'`).join(', ')} (the options: ${Object.keys(loadOptionsSchema.shape).join(', ')})`);
  }
  const key = issue.path.length > 0 ? String(issue.path[0]) : 'options';
  const given = key === 'options' ? options : (options as Record<string, unknown>)[key];
  throw new TypeError(`loadDataset: ${key} ${issue.message} (got ${describe(given)})`);
}

/** A value as the user wrote it: strings quoted, arrays and objects as JSON. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
