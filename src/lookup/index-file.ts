/**
 * The on-disk format of a lookup index, saved beside its checkpoint:
 *
 *   8 bytes  magic "KGDLKIDX"
 *   4 bytes  header length H (uint32, little-endian)
 *   H bytes  header (UTF-8 JSON: format name and version, space, source fingerprint, build parameters,
 *            payload size and SHA-256)
 *   rest     hnswlib's serialised index
 *
 * Reading checks, in order: magic, header, format version, that the fingerprint of the source (embeddings,
 * biases, model config, space, build parameters) is the current one — else the index is *stale* — and then the
 * payload's size and SHA-256 before hnswlib sees a byte (hnswlib trusts its input: a flipped byte there could
 * crash the process). Any failure is reported as a status with a reason, never thrown.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { removeStaleTemporaries, writeFileAtomic } from '../core/atomic-file.js';
import { hnswFromBytes, hnswToBytes, type Hnsw } from './hnsw.js';
import type { HnswMetric } from './vector-space.js';
import { fileErrorWords } from '../kg/errors.js';

/** Format name of index files. */
export const INDEX_FORMAT = 'kgdistill-hnsw-index';
/** Format version of index files (2: the hnswlib metric is in the header). */
export const INDEX_VERSION = 2;
const MAGIC = Buffer.from('KGDLKIDX', 'ascii');
const MAX_HEADER = 1 << 20;

const headerSchema = z.object({
  format: z.literal(INDEX_FORMAT),
  version: z.number().int(),
  createdAt: z.string(),
  spaceId: z.string(),
  space: z.record(z.string(), z.unknown()),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  metric: z.enum(['l2', 'ip', 'cosine']),
  count: z.number().int().nonnegative(),
  dim: z.number().int().positive(),
  build: z.object({ m: z.number().int().positive(), efConstruction: z.number().int().positive(), seed: z.number().int(), seconds: z.number() }),
  payload: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }),
});

/** The JSON header of an index file. */
export type IndexHeader = z.infer<typeof headerSchema>;

/** What reading an index file found. */
export type IndexFileStatus =
  | { status: 'ok'; header: IndexHeader; index: Hnsw }
  | { status: 'missing' }
  | { status: 'stale'; reason: string }
  | { status: 'corrupt'; reason: string }
  /** There, but not readable (a directory in its place, permissions, a lookup/ that is a file). */
  | { status: 'unreadable'; reason: string };

/** Writes the index with its header atomically. */
export async function writeIndexFile(file: string, header: Omit<IndexHeader, 'format' | 'version' | 'createdAt' | 'payload'>, index: Hnsw): Promise<IndexHeader> {
  const payload = await hnswToBytes(index);
  const full: IndexHeader = {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    createdAt: new Date().toISOString(),
    ...header,
    payload: { bytes: payload.byteLength, sha256: createHash('sha256').update(payload).digest('hex') },
  };
  const json = Buffer.from(JSON.stringify(full), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength, 0);
  await removeStaleTemporaries(file); // what a build killed while saving left (the index's size)
  await writeFileAtomic(file, Buffer.concat([MAGIC, length, json, payload]));
  return full;
}

/** Parses and checks the header; returns it with the payload, or a status. */
function parseFile(bytes: Buffer, expect: { fingerprint: string; metric: HnswMetric; dim: number; count: number }): { header: IndexHeader; payload: Buffer } | Exclude<IndexFileStatus, { status: 'ok' }> {
  if (bytes.byteLength < MAGIC.byteLength + 4 || !bytes.subarray(0, MAGIC.byteLength).equals(MAGIC)) {
    return { status: 'corrupt', reason: 'not a kgdistill index file (bad magic bytes)' };
  }
  const headerLength = bytes.readUInt32LE(MAGIC.byteLength);
  const start = MAGIC.byteLength + 4;
  if (headerLength > MAX_HEADER || start + headerLength > bytes.byteLength) return { status: 'corrupt', reason: `header length ${headerLength} runs past the end of the file (truncated?)` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8'));
  } catch {
    return { status: 'corrupt', reason: 'header is not valid JSON' };
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (format !== INDEX_FORMAT) return { status: 'corrupt', reason: `not a kgdistill index (format '${String(format)}')` };
  const version = (parsed as { version?: unknown }).version;
  if (version !== INDEX_VERSION) return { status: 'stale', reason: `index format version ${String(version)}, this kgdistill writes version ${INDEX_VERSION}` };
  const result = headerSchema.safeParse(parsed);
  if (!result.success) return { status: 'corrupt', reason: `malformed header: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  const header = result.data;
  if (header.fingerprint !== expect.fingerprint) return { status: 'stale', reason: 'built from other embeddings or settings (fingerprint differs)' };
  if (header.dim !== expect.dim || header.count !== expect.count || header.metric !== expect.metric) {
    return { status: 'stale', reason: `index holds ${header.count} × ${header.dim} (${header.metric}), expected ${expect.count} × ${expect.dim} (${expect.metric})` };
  }
  const payload = bytes.subarray(start + headerLength);
  if (payload.byteLength !== header.payload.bytes) return { status: 'corrupt', reason: `index payload has ${payload.byteLength} bytes, header says ${header.payload.bytes} (truncated?)` };
  if (createHash('sha256').update(payload).digest('hex') !== header.payload.sha256) return { status: 'corrupt', reason: 'index payload checksum mismatch (corrupt file)' };
  return { header, payload };
}

/** Reads an index file and checks it against the expected fingerprint and shape. */
export async function readIndexFile(file: string, expect: { fingerprint: string; metric: HnswMetric; dim: number; count: number }): Promise<IndexFileStatus> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'unreadable', reason: fileErrorWords(error) };
  }
  const parsed = parseFile(bytes, expect);
  if ('status' in parsed) return parsed;
  let index: Hnsw;
  try {
    index = await hnswFromBytes(parsed.payload, parsed.header.metric, parsed.header.dim);
  } catch (error) {
    return { status: 'corrupt', reason: `hnswlib could not load the payload: ${(error as Error).message}` };
  }
  if (index.getCurrentCount() !== expect.count || index.getNumDimensions() !== expect.dim) {
    return { status: 'corrupt', reason: `payload holds ${index.getCurrentCount()} × ${index.getNumDimensions()}, expected ${expect.count} × ${expect.dim}` };
  }
  return { status: 'ok', header: parsed.header, index };
}
