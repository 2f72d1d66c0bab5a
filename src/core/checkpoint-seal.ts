/**
 * A checkpoint's seal: what its arrays mean — the header's `model` (name, dimension, sizes, options; not `storedDim`,
 * whose every wrong value the tables' sizes and the registry already refuse), the vocabularies (by
 * SHA-256) and the array index — written into the binary itself as its last array (`header-seal`, one float per
 * byte of JSON), so that it is covered by the binary's SHA-256. A header edited by hand (RotH renamed RefH, TransE
 * renamed DistMult: the same tables, other scores) no longer matches the binary it names: reading it is an error
 * naming the file, the key, the value found and the value saved, never a model loaded as another.
 *
 * A checkpoint saved before the seal (2026-12-07) has none and is read as before; its `model.model` must then agree
 * with its copy of the run's configuration (`runConfig`), when it has one. The seal adds an array that older
 * kgdistill versions ignore (they read `param:`, `opt:`, … arrays by name), so the format version is unchanged; it
 * cannot be removed by editing the header alone (`binary.bytes` and the binary's size would then disagree).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { z } from 'zod';

/** The name of the seal's array (the last of a sealed checkpoint's arrays). */
export const SEAL_ARRAY = 'header-seal';

/** What a seal records. */
const sealSchema = z.object({
  seal: z.literal(1),
  model: z.object({
    model: z.string(), dim: z.number(), numEntities: z.number(), numRelations: z.number(),
    options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  }).strict(),
  vocab: z.object({ entities: z.string(), relations: z.string() }).strict(),
  arrays: z.array(z.tuple([z.string(), z.number(), z.number()])),
}).strict();

type Seal = z.infer<typeof sealSchema>;

/** The header fields a seal covers. */
export interface SealedFields {
  model: Seal['model'] & { storedDim?: number };
  vocab: { entities: string[]; relations: string[] };
  arrays: readonly { name: string; offset: number; length: number }[];
}

/** SHA-256 of a list of names (as JSON: a name holding a comma is told apart). */
function namesHash(names: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(names)).digest('hex');
}

/** The seal of `fields` (`arrays`: the index of every other array), as the floats stored in the binary. */
export function sealArray(fields: SealedFields): Float32Array {
  const model = fields.model;
  const seal: Seal = {
    seal: 1,
    model: { model: model.model, dim: model.dim, numEntities: model.numEntities, numRelations: model.numRelations, options: { ...model.options } },
    vocab: { entities: namesHash(fields.vocab.entities), relations: namesHash(fields.vocab.relations) },
    arrays: fields.arrays.map((a) => [a.name, a.offset, a.length]),
  };
  return Float32Array.from(Buffer.from(JSON.stringify(seal), 'utf8'));
}

/** The seal stored in `floats`; undefined when they are not one (damaged, or written by something else). */
function decodeSeal(floats: Float32Array): Seal | undefined {
  if (!floats.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) return undefined;
  try {
    const parsed = sealSchema.safeParse(JSON.parse(Buffer.from(Uint8Array.from(floats)).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The floats of seal entry `entry` read alone from `binaryFile`: 'missing' when it cannot be opened, 'short' when it ends before them. */
export async function readSealFloats(binaryFile: string, entry: { offset: number; length: number }): Promise<Float32Array | 'missing' | 'short'> {
  const seal = new Float32Array(entry.length);
  const handle = await fs.open(binaryFile, 'r').catch(() => undefined);
  if (!handle) return 'missing';
  try {
    const { bytesRead } = await handle.read(new Uint8Array(seal.buffer), 0, seal.byteLength, 4 * entry.offset);
    return bytesRead === seal.byteLength ? seal : 'short';
  } finally {
    await handle.close();
  }
}

/** A value as a message shows it. */
function shown(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}

/** What is wrong with a sealed checkpoint: in its header (`jsonFile`) or its seal (in the binary). */
export interface SealProblem {
  inBinary: boolean;
  reason: string;
}

/**
 * What differs between the header fields `found` and those sealed in `floats` (the seal array of binary `binary`):
 * the first key that differs, with the value found and the value saved; undefined when they agree.
 */
export function sealProblem(found: SealedFields, floats: Float32Array, binary: string): SealProblem | undefined {
  const seal = decodeSeal(floats);
  if (!seal) return { inBinary: true, reason: `its array '${SEAL_ARRAY}' is not a checkpoint seal (damaged, or not written by kgdistill)` };
  const edited = (key: string, now: unknown, saved: unknown): SealProblem => ({ inBinary: false, reason: `${key} is ${shown(now)}, but its binary ${binary} ` +
    `was saved with ${shown(saved)}: the header was edited (a checkpoint's model, vocabularies and array index are sealed in its binary); ` +
    `restore ${key} to ${shown(saved)}, or train the model you meant` });
  const model = found.model as unknown as Record<string, unknown>;
  for (const key of ['model', 'dim', 'numEntities', 'numRelations'] as const) {
    if (model[key] !== seal.model[key]) return edited(`model.${key}`, model[key], seal.model[key]);
  }
  const options = found.model.options;
  for (const key of [...new Set([...Object.keys(seal.model.options), ...Object.keys(options)])].sort()) {
    if (options[key] !== seal.model.options[key]) return edited(`model.options.${key}`, options[key], seal.model.options[key]);
  }
  for (const key of ['entities', 'relations'] as const) {
    if (namesHash(found.vocab[key]) !== seal.vocab[key]) {
      return { inBinary: false, reason: `vocab.${key} is not the list of names its binary ${binary} was saved with (renamed, reordered, added or ` +
        'removed): the header was edited, and its rows would answer for other names; restore the header' };
    }
  }
  const index = found.arrays.filter((a) => a.name !== SEAL_ARRAY).map((a) => [a.name, a.offset, a.length]);
  if (JSON.stringify(index) === JSON.stringify(seal.arrays)) return undefined;
  const at = Math.max(0, index.findIndex((entry, i) => JSON.stringify(entry) !== JSON.stringify(seal.arrays[i])));
  const entry = (e: unknown[] | undefined): string => (e ? `'${e[0]}' at ${e[1]}, ${e[2]} floats` : 'absent');
  return { inBinary: false, reason: `arrays[${at}] is ${entry(index[at])}, but its binary ${binary} was saved with ${entry(seal.arrays[at])}: the header was edited; restore it` };
}

/**
 * For a checkpoint without a seal (saved before 2026-12-07): why its `model.model` differs from the model its copy of
 * the run's configuration names (`runConfig.options.model`, or `student` for distill), naming both keys; undefined
 * when they agree or there is no copy.
 */
export function unsealedModelProblem(header: { model: { model: string }; runConfig?: Record<string, unknown> }): string | undefined {
  const config = header.runConfig;
  const key = config?.command === 'distill' ? 'student' : 'model';
  const named = (config?.options as Record<string, unknown> | undefined)?.[key];
  if (typeof named !== 'string' || named.toLowerCase() === header.model.model.toLowerCase()) return undefined;
  return `model.model is ${JSON.stringify(header.model.model)}, but runConfig.options.${key} (the configuration the run was made with) is ` +
    `${JSON.stringify(named)}: one of them was edited (a checkpoint saved before 2026-12-07 has no seal to tell which); restore it, e.g. ` +
    `model.model to ${JSON.stringify(named)} if the run trained ${named}`;
}
