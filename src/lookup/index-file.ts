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
 * payload's size and SHA-256, and hnswlib's own header and link lists against the kgdistill header, before hnswlib
 * sees a byte (hnswlib trusts its input: a damaged payload, even one whose checksum was made to match, could crash
 * the process). Any failure is reported as a status with a reason, never thrown.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { removeStaleTemporaries, writeFileAtomic } from '../core/atomic-file.js';
import { hnswFromBytes, hnswToBytes, HnswUnavailableError, type Hnsw } from './hnsw.js';
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
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { status: 'corrupt', reason: 'header is not a JSON object' };
  const { format, version } = parsed as { format?: unknown; version?: unknown };
  if (format === undefined) return { status: 'corrupt', reason: 'not a kgdistill index (its header has no format field)' };
  if (format !== INDEX_FORMAT) return { status: 'corrupt', reason: `not a kgdistill index (format ${JSON.stringify(format)})` };
  if (version === undefined) return { status: 'stale', reason: `index header has no version field, this kgdistill writes version ${INDEX_VERSION}` };
  if (version !== INDEX_VERSION) return { status: 'stale', reason: `index format version ${JSON.stringify(version)}, this kgdistill writes version ${INDEX_VERSION}` };
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
  const problem = hnswPayloadProblem(payload, header);
  if (problem !== undefined) return { status: 'corrupt', reason: `the hnswlib payload does not match the index header: ${problem}` };
  return { header, payload };
}

/** Bytes of hnswlib's fixed header (64-bit size_t, little-endian: every platform Node 20 ships for). */
const HNSW_HEADER_BYTES = 96;
/** hnswlib caps M at this. */
const HNSW_MAX_M = 10000;

/**
 * What in an hnswlib payload disagrees with the index header that describes it, or undefined: hnswlib trusts its
 * input (a payload whose checksum was recomputed after damage kills the process with SIGFPE or SIGSEGV), so its
 * fixed header (hnswalg.h's saveIndex: offsetLevel0, max_elements, cur_element_count, size_data_per_element,
 * label_offset, offsetData, maxlevel, enterpoint, maxM, maxM0, M, mult, ef_construction) is checked against
 * the count, dimension and build parameters, and every link list's size, levels and neighbour ids against the
 * payload's length and the element count, in one pass over the payload, before hnswlib reads it.
 */
export function hnswPayloadProblem(payload: Buffer, header: Pick<IndexHeader, 'count' | 'dim' | 'build'>): string | undefined {
  if (payload.byteLength < HNSW_HEADER_BYTES) return `${payload.byteLength} bytes, less than hnswlib's ${HNSW_HEADER_BYTES}-byte header`;
  const size = (offset: number): bigint => payload.readBigUInt64LE(offset); // a size_t
  const { count, dim } = header;
  const m = Math.min(header.build.m, HNSW_MAX_M);
  const linksLevel0 = 2 * m * 4 + 4;
  const linksUpper = m * 4 + 4;
  const perElement = linksLevel0 + dim * 4 + 8;
  const expected: [string, bigint, number][] = [
    ['offsetLevel0', size(0), 0], ['max_elements', size(8), Math.max(count, 1)], ['cur_element_count', size(16), count],
    ['size_data_per_element', size(24), perElement], ['label_offset', size(32), linksLevel0 + dim * 4], ['offsetData', size(40), linksLevel0],
    ['maxM', size(56), m], ['maxM0', size(64), 2 * m], ['M', size(72), m], ['ef_construction', size(88), Math.max(header.build.efConstruction, m)],
  ];
  for (const [name, found, wanted] of expected) if (found !== BigInt(wanted)) return `${name} is ${found}, expected ${wanted}`;
  const mult = payload.readDoubleLE(80);
  if (!(mult > 0)) return `mult is ${mult}, expected a positive number`; // 1 / ln M: infinite for M = 1
  const maxLevel = payload.readInt32LE(48);
  const enterPoint = payload.readUInt32LE(52);
  if (count === 0) return payload.byteLength === HNSW_HEADER_BYTES ? undefined : `${payload.byteLength} bytes for no element, expected ${HNSW_HEADER_BYTES}`;
  if (maxLevel < 0) return `maxlevel is ${maxLevel}, expected ≥ 0`;
  if (enterPoint >= count) return `enterpoint is ${enterPoint}, expected an element below ${count}`;
  // the upper levels' link lists, after the level-0 block: a size (a whole number of levels, ≤ maxlevel) and the lists
  const levels = new Int32Array(count);
  const upper = new Float64Array(count);
  let at = HNSW_HEADER_BYTES + count * perElement;
  for (let i = 0; i < count; i++) {
    if (at + 4 > payload.byteLength) return `the link lists end after element ${i} of ${count} (${payload.byteLength} bytes)`;
    const bytes = payload.readUInt32LE(at);
    if (bytes % linksUpper !== 0 || bytes / linksUpper > maxLevel) return `element ${i}'s upper link lists have ${bytes} bytes, not up to ${maxLevel} levels of ${linksUpper}`;
    levels[i] = bytes / linksUpper;
    upper[i] = at + 4;
    at += 4 + bytes;
  }
  if (at !== payload.byteLength) return `${payload.byteLength} bytes, the header and link lists describe ${at}`;
  if (levels[enterPoint] !== maxLevel) return `enterpoint ${enterPoint} has ${levels[enterPoint]} levels, maxlevel is ${maxLevel}`;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const base = HNSW_HEADER_BYTES + i * perElement;
    const label = size(base + linksLevel0 + dim * 4);
    if (label >= BigInt(count) || labels[Number(label)] === 1) return `element ${i} has label ${label}, expected a distinct one below ${count}`;
    labels[Number(label)] = 1;
    for (let level = 0; level <= levels[i]!; level++) {
      const list = level === 0 ? base : upper[i]! + (level - 1) * linksUpper;
      const links = payload.readUInt16LE(list);
      if (links > (level === 0 ? 2 * m : m)) return `element ${i} has ${links} links at level ${level}, more than ${level === 0 ? 2 * m : m}`;
      for (let k = 0; k < links; k++) {
        const j = payload.readUInt32LE(list + 4 + 4 * k);
        if (j >= count || levels[j]! < level) return `element ${i} links to element ${j} at level ${level}, which ${j >= count ? `is not below ${count}` : 'is not on that level'}`;
      }
    }
  }
  return undefined;
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
    if (error instanceof HnswUnavailableError) throw error; // the addon is missing, not the file damaged
    return { status: 'corrupt', reason: `hnswlib could not load the payload: ${(error as Error).message}` };
  }
  if (index.getCurrentCount() !== expect.count || index.getNumDimensions() !== expect.dim) {
    return { status: 'corrupt', reason: `payload holds ${index.getCurrentCount()} × ${index.getNumDimensions()}, expected ${expect.count} × ${expect.dim}` };
  }
  return { status: 'ok', header: parsed.header, index };
}
