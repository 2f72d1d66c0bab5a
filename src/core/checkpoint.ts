/**
 * Checkpoints: a JSON header (format and version, model and training config, vocabularies, progress, random
 * state, the list of arrays) and a binary file of float32 arrays, both written atomically; the header carries
 * the binary's size and SHA-256 so a truncated or foreign file is a clear error, never a crash or a silent load.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

/** Format name and version written into every checkpoint. */
export const CHECKPOINT_FORMAT = 'kgdistill-checkpoint';
export const CHECKPOINT_VERSION = 1;

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
  }),
  training: z.record(z.string(), z.unknown()),
  dataset: z.object({ name: z.string(), dir: z.string().optional(), unseen: z.enum(['drop', 'keep', 'error']).optional() }),
  vocab: z.object({ entities: z.array(z.string()), relations: z.array(z.string()) }),
  progress: z.record(z.string(), z.unknown()),
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

/** Writes `<dir>/<stem>.bin` then `<dir>/<stem>.json`, each atomically. */
export async function saveCheckpoint(dir: string, stem: string, content: CheckpointContent): Promise<string> {
  const names = Object.keys(content.arrays);
  let total = 0;
  const arrays = names.map((name) => {
    const entry = { name, offset: total, length: content.arrays[name]!.length };
    total += entry.length;
    return entry;
  });
  const packed = new Float32Array(total);
  for (const entry of arrays) packed.set(content.arrays[entry.name]!, entry.offset);
  const bytes = new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength);
  const binaryFile = `${stem}.bin`;
  await writeFileAtomic(path.join(dir, binaryFile), bytes);
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    ...content.header,
    arrays,
    binary: { file: binaryFile, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
  const jsonFile = path.join(dir, `${stem}.json`);
  await writeFileAtomic(jsonFile, JSON.stringify(header));
  return jsonFile;
}

/** Reads and validates `<dir>/<stem>.json` and its binary. */
export async function loadCheckpoint(dir: string, stem: string): Promise<CheckpointContent & { header: CheckpointHeader }> {
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
  if (format !== CHECKPOINT_FORMAT) throw new CheckpointError(jsonFile, `not a kgdistill checkpoint (format '${String(format)}')`);
  const version = (parsed as { version?: unknown }).version;
  if (version !== CHECKPOINT_VERSION) throw new CheckpointError(jsonFile, `checkpoint format version ${String(version)}, this kgdistill reads version ${CHECKPOINT_VERSION}`);
  const result = headerSchema.safeParse(parsed);
  if (!result.success) throw new CheckpointError(jsonFile, `malformed header: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const header = result.data;
  const binaryFile = path.join(dir, header.binary.file);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(binaryFile);
  } catch {
    throw new CheckpointError(binaryFile, 'binary part of the checkpoint is missing');
  }
  if (bytes.byteLength !== header.binary.bytes) throw new CheckpointError(binaryFile, `expected ${header.binary.bytes} bytes, found ${bytes.byteLength} (truncated?)`);
  if (createHash('sha256').update(bytes).digest('hex') !== header.binary.sha256) throw new CheckpointError(binaryFile, 'checksum mismatch (corrupt or from another checkpoint)');
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays: Record<string, Float32Array> = {};
  for (const entry of header.arrays) {
    if (entry.offset + entry.length > floats.length) throw new CheckpointError(jsonFile, `array '${entry.name}' lies outside the binary`);
    arrays[entry.name] = floats.subarray(entry.offset, entry.offset + entry.length);
  }
  return { header, arrays };
}
