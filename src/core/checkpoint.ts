/**
 * Checkpoints: a JSON header (format and version, model and training config, vocabularies, progress, random
 * state, the list of arrays) and a binary file of float32 arrays. The pair is one atomic unit: the binary gets a
 * fresh name (`<stem>-<id>.bin`) and is written first, then the header — which names that binary with its size and
 * SHA-256 — is renamed into place; that rename is the commit, so a crash at any moment leaves the previous
 * checkpoint whole. The binary it replaced is removed afterwards, and `cleanRunDir` removes leftovers of an
 * interrupted write. A truncated, foreign or edited file is a clear error, never a crash or a silent load, and a
 * header may only name a binary inside its own directory. The binary also holds the header's seal (checkpoint-seal.ts):
 * a header whose model, vocabularies or array index were edited since it was saved is an error naming the key.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from './registry.js';
import { firstNonFinite } from './finite-check.js';
import { randomBytes } from 'node:crypto';
import { IO_PIECE_BYTES, writeChunksAtomic, writeFileAtomic } from './atomic-file.js';
import { isBinaryOf } from './run-dir-files.js';
import { checkpointSaveError } from './checkpoint-save-error.js';
import { SEAL_ARRAY, readSealFloats, sealArray, sealProblem, unsealedModelProblem } from './checkpoint-seal.js';

/** Format name and version written into every checkpoint. */
export const CHECKPOINT_FORMAT = 'kgdistill-checkpoint';
export const CHECKPOINT_VERSION = 2;
/**
 * The version of a checkpoint whose tables are stored wider than its dimension (`model.storedDim`,
 * core/table-padding.ts): a kgdistill that reads only versions 1 and 2 refuses it by its version instead of by a size.
 */
export const PADDED_CHECKPOINT_VERSION = 3;
/** Versions this kgdistill reads (1: fixed binary names `<stem>.bin`; 2: `<stem>-<id>.bin`; 3: 2 with `model.storedDim`). */
const READABLE_VERSIONS = [1, 2, 3];
/** A binary's file name: a plain name in the checkpoint's directory. */
const BINARY_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.bin$/;

const headerSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.number().int(),
  createdAt: z.string(),
  model: z.object({
    model: z.string(),
    dim: z.number().int().positive(),
    numEntities: z.number().int().positive(),
    numRelations: z.number().int().positive(),
    options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    storedDim: z.number().int().positive().optional(),
  }),
  training: z.record(z.string(), z.unknown()),
  dataset: z.object({
    name: z.string(),
    dir: z.string().optional(),
    unseen: z.enum(['drop', 'keep', 'error']).optional(),
    /** Fingerprints of the splits' triples (kg/triple-fingerprint.ts); absent in checkpoints of 2026-12-06 and before. */
    triples: z.object({ train: z.string(), valid: z.string(), test: z.string() }).optional(),
  }),
  vocab: z.object({ entities: z.array(z.string()), relations: z.array(z.string()) }),
  progress: z.record(z.string(), z.unknown()),
  /** The configuration the run was made with, as its command wrote it (opaque here), so the checkpoint describes its run without other files. */
  runConfig: z.record(z.string(), z.unknown()).optional(),
  arrays: z.array(z.object({ name: z.string(), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() })),
  binary: z.object({ file: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() }),
});

/** The JSON header of a checkpoint. */
export type CheckpointHeader = z.infer<typeof headerSchema>;

/** What a checkpoint holds: the header fields (without the array index) and the named arrays. */
export interface CheckpointContent {
  header: Omit<CheckpointHeader, 'format' | 'version' | 'createdAt' | 'arrays' | 'binary'>;
  arrays: Record<string, Float32Array>;
}

/** Error for a missing, corrupt or incompatible checkpoint. */
export class CheckpointError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'CheckpointError';
  }
}

/**
 * Writes `<dir>/<stem>-<id>.bin` (the arrays, then the header's seal) then commits `<dir>/<stem>.json` naming it, and
 * removes the stem's older binaries. A failed save (a full disk) removes its new binary, keeps the previous checkpoint
 * and names `<stem>.json` in plain words.
 */
export async function saveCheckpoint(dir: string, stem: string, content: CheckpointContent): Promise<string> {
  if (Object.hasOwn(content.arrays, SEAL_ARRAY)) throw new Error(`${path.join(dir, stem)}: '${SEAL_ARRAY}' is the name of the checkpoint's seal, not of an array to save`);
  const names = Object.keys(content.arrays);
  let total = 0;
  const arrays = names.map((name) => {
    const entry = { name, offset: total, length: content.arrays[name]!.length };
    total += entry.length;
    return entry;
  });
  // the seal: what the arrays mean (model, vocabularies, index), covered by the binary's SHA-256 (checkpoint-seal.ts)
  const seal = sealArray({ model: content.header.model, vocab: content.header.vocab, arrays });
  arrays.push({ name: SEAL_ARRAY, offset: total, length: seal.length });
  total += seal.length;
  // Each array is written as it is (no packed copy: a 5M × 64 model with Adam state is 3.8 GB), hashed piece by
  // piece as it is written (one hash update takes less than 2 GiB).
  const chunks = arrays.map((entry) => {
    const values = entry.name === SEAL_ARRAY ? seal : content.arrays[entry.name]!;
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  });
  const hash = createHash('sha256');
  const binaryFile = `${stem}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}.bin`;
  const jsonFile = path.join(dir, `${stem}.json`);
  try {
    await writeChunksAtomic(path.join(dir, binaryFile), chunks, (piece) => hash.update(piece));
    const version = content.header.model.storedDim === undefined ? CHECKPOINT_VERSION : PADDED_CHECKPOINT_VERSION;
    const header: CheckpointHeader = { format: CHECKPOINT_FORMAT, version, createdAt: new Date().toISOString(), ...content.header, arrays,
      binary: { file: binaryFile, bytes: 4 * total, sha256: hash.digest('hex') } };
    await writeFileAtomic(jsonFile, JSON.stringify(header));
  } catch (error) {
    // not committed: the new binary, named by no header, goes at once (on a full disk it holds the space the next save needs)
    const named = await headerNames(jsonFile, binaryFile);
    if (named) throw error; // committed (what failed came after the rename)
    await fs.rm(path.join(dir, binaryFile), { force: true }).catch(() => undefined);
    throw checkpointSaveError(jsonFile, stem, error, await fs.stat(jsonFile).then(() => true, () => false));
  }
  for (const name of await fs.readdir(dir)) {
    if (name !== binaryFile && isBinaryOf(stem, name)) await fs.rm(path.join(dir, name), { force: true });
  }
  return jsonFile;
}

/** Whether the header `jsonFile` names `binaryFile`: false only when it surely does not (no header, or another binary); when it cannot be told, true (keep the binary). */
async function headerNames(jsonFile: string, binaryFile: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(jsonFile, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  try {
    return (JSON.parse(text) as CheckpointHeader).binary?.file === binaryFile;
  } catch {
    return true;
  }
}

/** The named arrays whose names start with `prefix` (e.g. `opt:`), under their names without it. */
export function arraysWithPrefix(arrays: Record<string, Float32Array>, prefix: string): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(arrays)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = values;
  return out;
}

/** Reads and validates `<dir>/<stem>.json` and its binary. */
export async function loadCheckpoint(dir: string, stem: string): Promise<CheckpointContent & { header: CheckpointHeader }> {
  return readWhileReplaced(dir, stem, () => loadOnce(dir, stem));
}

/**
 * Runs `read` of checkpoint `stem`, and once more when its binary vanished because a running training committed a
 * new checkpoint meanwhile (the header now names another binary: the old one is removed after the commit). Readers
 * (eval, predict, serve, teachers) take no lock, so they may meet that moment.
 */
async function readWhileReplaced<T>(dir: string, stem: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof CheckpointError) || !/binary part of the checkpoint is missing|changed while reading|found \d+ \(truncated\?\)/.test(error.message)) throw error;
    let named: unknown;
    try {
      named = (JSON.parse(await fs.readFile(path.join(dir, `${stem}.json`), 'utf8')) as { binary?: { file?: unknown } }).binary?.file;
    } catch {
      throw error;
    }
    if (typeof named !== 'string' || path.join(dir, named) === error.file) throw error;
    return read();
  }
}

/** One attempt of loadCheckpoint. */
async function loadOnce(dir: string, stem: string): Promise<CheckpointContent & { header: CheckpointHeader }> {
  const { header, jsonFile } = await readHeaderOnce(dir, stem);
  const binaryFile = path.join(dir, header.binary.file);
  const floats = await readFloatBinary(binaryFile, header);
  const arrays: Record<string, Float32Array> = {};
  for (const entry of header.arrays) {
    if (entry.offset + entry.length > floats.length) throw new CheckpointError(jsonFile, `array '${entry.name}' lies outside the binary`);
    arrays[entry.name] = floats.subarray(entry.offset, entry.offset + entry.length);
  }
  const seal = arrays[SEAL_ARRAY];
  if (seal) checkSealed(jsonFile, binaryFile, header, seal);
  delete arrays[SEAL_ARRAY];
  return { header, arrays };
}

/**
 * Validates a checkpoint whole (header, size and SHA-256 of the binary) reading its binary in pieces, without keeping
 * it; returns the header.
 */
export async function verifyCheckpoint(dir: string, stem: string): Promise<CheckpointHeader> {
  return readWhileReplaced(dir, stem, async () => {
    const { header, jsonFile } = await readHeaderOnce(dir, stem);
    const binaryFile = path.join(dir, header.binary.file);
    const entry = sealEntry(header);
    const seal = entry && new Float32Array(entry.length);
    await readBinaryChecked(binaryFile, header, undefined, seal && { offset: 4 * entry.offset, into: new Uint8Array(seal.buffer) });
    if (seal) checkSealed(jsonFile, binaryFile, header, seal);
    return header;
  });
}

/**
 * Reads and validates `<dir>/<stem>.json` (format, version, schema, vocabulary, its seal), and that its binary has the
 * size it names (its SHA-256 is not checked).
 */
export async function readCheckpointHeader(dir: string, stem: string): Promise<{ header: CheckpointHeader; jsonFile: string }> {
  return readWhileReplaced(dir, stem, async () => {
    const read = await readHeaderOnce(dir, stem);
    const entry = sealEntry(read.header);
    if (entry) {
      const binaryFile = path.join(dir, read.header.binary.file);
      checkSealed(read.jsonFile, binaryFile, read.header, await readSealOnly(binaryFile, entry));
    }
    return read;
  });
}

/** The largest seal read (its JSON is a few hundred bytes): a larger entry is an edited header, not a read of gigabytes. */
const MAX_SEAL_FLOATS = 1 << 20;

/** The seal's entry in a header's array index (undefined for a checkpoint saved before seals). */
function sealEntry(header: CheckpointHeader): CheckpointHeader['arrays'][number] | undefined {
  return header.arrays.find((a) => a.name === SEAL_ARRAY);
}

/** Throws a CheckpointError naming the file and key when the header differs from the seal in its binary. */
function checkSealed(jsonFile: string, binaryFile: string, header: CheckpointHeader, seal: Float32Array): void {
  const problem = sealProblem(header, seal, path.basename(binaryFile));
  if (problem) throw new CheckpointError(problem.inBinary ? binaryFile : jsonFile, problem.reason);
}

/** The seal's floats, read alone from a binary whose size was checked (a vanished binary: the error a replaced checkpoint gives). */
async function readSealOnly(binaryFile: string, entry: CheckpointHeader['arrays'][number]): Promise<Float32Array> {
  const seal = await readSealFloats(binaryFile, entry);
  if (seal === 'missing') throw new CheckpointError(binaryFile, 'binary part of the checkpoint is missing');
  if (seal === 'short') throw new CheckpointError(binaryFile, `ended before its array '${SEAL_ARRAY}' (changed while reading?)`);
  return seal;
}

/** One attempt of readCheckpointHeader. */
async function readHeaderOnce(dir: string, stem: string): Promise<{ header: CheckpointHeader; jsonFile: string }> {
  const jsonFile = path.join(dir, `${stem}.json`);
  let raw: string;
  try {
    raw = await fs.readFile(jsonFile, 'utf8');
  } catch {
    throw new CheckpointError(jsonFile, 'no checkpoint here (file missing or unreadable)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CheckpointError(jsonFile, 'not valid JSON (truncated or not a kgdistill checkpoint)');
  }
  const format = (parsed as { format?: unknown })?.format;
  if (format !== CHECKPOINT_FORMAT) throw new CheckpointError(jsonFile, `not a kgdistill checkpoint (${format === undefined ? "no 'format' field" : `format ${JSON.stringify(format)}`})`);
  const version = (parsed as { version?: unknown }).version;
  const readable = `this kgdistill reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS.at(-1)}`;
  if (version === undefined) throw new CheckpointError(jsonFile, `no 'version' field: ${readable}`);
  if (!READABLE_VERSIONS.includes(version as number)) throw new CheckpointError(jsonFile, `checkpoint format version ${JSON.stringify(version)}, ${readable}`);
  const result = headerSchema.safeParse(parsed);
  if (!result.success) throw new CheckpointError(jsonFile, `malformed header: ${formatIssues(result.error)}`);
  const header = result.data;
  if (!BINARY_NAME.test(header.binary.file)) throw new CheckpointError(jsonFile, `binary.file '${header.binary.file}' must be a plain file name in the checkpoint's directory`);
  checkVocabulary(jsonFile, header);
  const seal = sealEntry(header);
  if (seal && (seal.length > MAX_SEAL_FLOATS || header.arrays.at(-1) !== seal)) {
    throw new CheckpointError(jsonFile, `arrays: the entry '${SEAL_ARRAY}' (the header's seal) must be the last one, of at most ${MAX_SEAL_FLOATS} floats: the header was edited`);
  }
  const unsealed = seal ? undefined : unsealedModelProblem(header);
  if (unsealed) throw new CheckpointError(jsonFile, unsealed);
  const floats = header.arrays.reduce((sum, array) => sum + array.length, 0);
  if (header.binary.bytes !== 4 * floats) throw new CheckpointError(jsonFile, `binary.bytes is ${header.binary.bytes}, but its arrays hold ${floats} float32 values (${4 * floats} bytes)`);
  const binaryFile = path.join(dir, header.binary.file);
  const size = await fs.stat(binaryFile).then((s) => s.size, () => undefined);
  if (size === undefined) throw new CheckpointError(binaryFile, 'binary part of the checkpoint is missing');
  if (size !== header.binary.bytes) throw new CheckpointError(binaryFile, `expected ${header.binary.bytes} bytes, found ${size} (truncated?)`);
  return { header, jsonFile };
}

/** Reads a checkpoint binary into one Float32Array, checking its size, SHA-256 and values against the header. */
async function readFloatBinary(binaryFile: string, header: CheckpointHeader): Promise<Float32Array> {
  let floats = new Float32Array(0);
  await readBinaryChecked(binaryFile, header, (size) => new Uint8Array((floats = new Float32Array(size / 4)).buffer));
  return floats;
}

/**
 * Reads a checkpoint binary in pieces of at most 1 GiB (one read call takes less than 2 GiB), checking its size and
 * SHA-256 against the header, then that every float of its arrays is finite (a run never saves a non-finite value,
 * trainer.ts): into the buffer `allocate` makes once the size is checked, or — to verify it only — through one 16 MiB
 * buffer, copying the bytes from `capture.offset` on into `capture.into` (the seal).
 */
async function readBinaryChecked(binaryFile: string, header: CheckpointHeader, allocate?: (size: number) => Uint8Array,
  capture?: { offset: number; into: Uint8Array }): Promise<void> {
  const expected = header.binary;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(binaryFile, 'r');
  } catch {
    throw new CheckpointError(binaryFile, 'binary part of the checkpoint is missing');
  }
  let nonFinite: { index: number; value: number } | undefined;
  try {
    const size = (await handle.stat()).size;
    if (size !== expected.bytes) throw new CheckpointError(binaryFile, `expected ${expected.bytes} bytes, found ${size} (truncated?)`);
    const into = allocate?.(size);
    const piece = into ? undefined : new Uint8Array(Math.min(size, 1 << 24));
    const hash = createHash('sha256');
    for (let at = 0; at < size;) {
      const length = Math.min(into ? IO_PIECE_BYTES : piece!.length, size - at);
      const buffer = into ? into.subarray(at, at + length) : piece!.subarray(0, length);
      for (let filled = 0; filled < length;) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, at + filled);
        if (bytesRead === 0) throw new CheckpointError(binaryFile, `ended after ${at + filled} of ${size} bytes (changed while reading?)`);
        filled += bytesRead;
      }
      hash.update(buffer);
      if (capture) { // the bytes of [capture.offset, + into.length) this piece holds
        const from = Math.max(at, capture.offset), to = Math.min(at + length, capture.offset + capture.into.length);
        if (from < to) capture.into.set(buffer.subarray(from - at, to - at), from - capture.offset);
      }
      if (!nonFinite) {
        const bad = firstNonFinite({ piece: new Float32Array(buffer.buffer, buffer.byteOffset, length / 4) });
        if (bad) nonFinite = { index: at / 4 + bad.index, value: bad.value };
      }
      at += length;
    }
    if (hash.digest('hex') !== expected.sha256) throw new CheckpointError(binaryFile, 'checksum mismatch (corrupt or from another checkpoint)');
  } finally {
    await handle.close();
  }
  const entry = nonFinite && header.arrays.find((a) => nonFinite!.index >= a.offset && nonFinite!.index < a.offset + a.length);
  if (nonFinite) {
    const where = entry ? `array '${entry.name}' holds ${nonFinite.value} at index ${nonFinite.index - entry.offset}` : `float ${nonFinite.index} holds ${nonFinite.value}`;
    throw new CheckpointError(binaryFile, `${where}; a checkpoint holds finite numbers only (edited or damaged?)`);
  }
}

/** Throws unless the vocabularies match the model's shape and hold no name twice. */
function checkVocabulary(jsonFile: string, header: CheckpointHeader): void {
  const { entities, relations } = header.vocab;
  const { numEntities, numRelations } = header.model;
  if (entities.length !== numEntities) throw new CheckpointError(jsonFile, `the vocabulary names ${entities.length} entities, the model has ${numEntities}`);
  if (relations.length !== numRelations) throw new CheckpointError(jsonFile, `the vocabulary names ${relations.length} relations, the model has ${numRelations}`);
  for (const [what, names] of [['entity', entities], ['relation', relations]] as const) {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new CheckpointError(jsonFile, `the vocabulary names ${what} '${name}' twice`);
      seen.add(name);
    }
  }
}
