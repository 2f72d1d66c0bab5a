import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IndexStore } from '../../src/lookup/index-store.js';
import { INDEX_VERSION } from '../../src/lookup/index-file.js';
import { neighborQuery, neighborSpace } from '../../src/lookup/neighbors.js';
import { searchHnsw } from '../../src/lookup/hnsw.js';
import { SimilarityKind } from '../../src/kernels/kernels.js';
import { expmap0, similarityRef } from '../../src/kernels/reference.js';
import type { EntityTable, SpaceSpec } from '../../src/lookup/vector-space.js';
import { randomTable, tempDir, testConfig } from './helpers.js';

const N = 200;
const DIM = 6;
const SPEC: SpaceSpec = { kind: 'lorentz', curvature: 1 };

/** A store over `table` in `dir` that records its notices. */
function storeFor(dir: string, table: EntityTable, config = testConfig(N, DIM)): { store: IndexStore; notices: string[] } {
  const notices: string[] = [];
  return { store: new IndexStore(dir, 'best', table, config, { onNotice: (m) => notices.push(m) }), notices };
}

/** Builds and saves the index of SPEC in a fresh directory; returns the directory and file. */
async function savedIndex(table: EntityTable): Promise<{ dir: string; file: string }> {
  const dir = tempDir('index');
  const { store } = storeFor(dir, table);
  const index = await store.get(SPEC);
  expect(index.origin).toBe('built');
  return { dir, file: index.file };
}

/** Opens the index in `dir` again and returns how it came back. */
async function reopen(dir: string, table: EntityTable): Promise<{ origin: string; reason?: string; notices: string[] }> {
  const { store, notices } = storeFor(dir, table);
  const index = await store.get(SPEC);
  // Whatever happened, the index answers correctly: the 5 nearest of entity 3 by Poincaré distance (float64 oracle).
  const row = (t: number): Float32Array => table.rows.subarray(t * DIM, (t + 1) * DIM);
  const d2 = (j: number): number => -similarityRef(SimilarityKind.NegSqPoincare, expmap0(row(3), 1), row(j), 1);
  const truth = Array.from({ length: N }, (_, j) => j).filter((j) => j !== 3).sort((a, b) => d2(a) - d2(b) || a - b).slice(0, 5);
  const found = searchHnsw(index.hnsw, neighborQuery(table, SPEC, index.dim, 3), 6, 100).ids.filter((j) => j !== 3).slice(0, 5);
  expect(found).toEqual(truth);
  return { origin: index.origin, reason: index.reason, notices };
}

describe('index files: saved once, stale or corrupt files rebuilt', () => {
  const table = randomTable(N, DIM, 'file', 2);

  it('is saved beside the checkpoint with a versioned header and loaded, not rebuilt, the next time', async () => {
    const { dir, file } = await savedIndex(table);
    expect(file).toBe(path.join(dir, 'lookup', 'best.lorentz-c3f800000.hnsw'));
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 8).toString('ascii')).toBe('KGDLKIDX');
    const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8'));
    expect(header).toMatchObject({ format: 'kgdistill-hnsw-index', version: INDEX_VERSION, count: N, dim: DIM + 2, spaceId: 'lorentz-c3f800000' });
    expect(header.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const again = await reopen(dir, table);
    expect(again).toMatchObject({ origin: 'loaded', notices: [] });
  });

  it('detects changed embeddings, biases or model config as stale and rebuilds (and the rebuilt file is then used)', async () => {
    const { dir } = await savedIndex(table);
    const changed: EntityTable = { ...table, rows: table.rows.slice() };
    changed.rows[17] = changed.rows[17]! + 1e-3;
    const stale = await reopen(dir, changed);
    expect(stale.origin).toBe('built');
    expect(stale.reason).toMatch(/^stale: built from other embeddings or settings/);
    expect(stale.notices.join('\n')).toMatch(/rebuilding index .*best\.lorentz-c3f800000\.hnsw \(stale/);
    expect((await reopen(dir, changed)).origin).toBe('loaded');
    expect((await reopen(dir, table)).origin).toBe('built'); // the old embeddings are now the stale ones
    const { store } = storeFor(dir, table, { ...testConfig(N, DIM), options: { initScale: 0.5 } });
    expect((await store.get(SPEC)).reason).toMatch(/^stale/);
  });

  it('treats an index of another format version as stale', async () => {
    const { dir, file } = await savedIndex(table);
    const bytes = readFileSync(file);
    const length = bytes.readUInt32LE(8);
    const header = bytes.subarray(12, 12 + length).toString('utf8').replace(`"version":${INDEX_VERSION}`, `"version":${INDEX_VERSION + 1}`);
    expect(Buffer.byteLength(header)).toBe(length);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, 12), Buffer.from(header), bytes.subarray(12 + length)]));
    expect((await reopen(dir, table)).reason).toBe(`stale: index format version ${INDEX_VERSION + 1}, this kgdistill writes version ${INDEX_VERSION}`);
  });

  const corruptions: Array<[string, (bytes: Buffer) => Buffer, RegExp]> = [
    ['a flipped byte in the hnswlib payload', (b) => { const c = Buffer.from(b); c[c.length - 100] ^= 0xff; return c; }, /payload checksum mismatch/],
    ['a truncated payload', (b) => b.subarray(0, b.length - 1000), /payload has \d+ bytes, header says \d+ \(truncated\?\)/],
    ['a truncated header', (b) => b.subarray(0, 40), /header length \d+ runs past the end of the file/],
    ['an empty file', () => Buffer.alloc(0), /bad magic bytes/],
    ['random bytes', () => Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)), /bad magic bytes/],
    ['a header that is not JSON', (b) => { const c = Buffer.from(b); c[12] = 0x7b; c[13] = 0x7b; return c; }, /header is not valid JSON/],
    ['a header of another format', (b) => Buffer.concat([b.subarray(0, 8), (() => { const h = Buffer.from('{"format":"other"}'); const l = Buffer.alloc(4); l.writeUInt32LE(h.length); return Buffer.concat([l, h]); })()]), /not a kgdistill index \(format "other"\)/],
    ['a huge header length', (b) => { const c = Buffer.from(b); c.writeUInt32LE(0xffffffff, 8); return c; }, /header length 4294967295 runs past the end/],
  ];
  for (const [what, corrupt, reason] of corruptions) {
    it(`rebuilds after ${what}, saying why`, async () => {
      const { dir, file } = await savedIndex(table);
      writeFileSync(file, corrupt(readFileSync(file)));
      const result = await reopen(dir, table);
      expect(result.origin).toBe('built');
      expect(result.reason).toMatch(/^corrupt: /);
      expect(result.reason).toMatch(reason);
      expect((await reopen(dir, table)).origin).toBe('loaded');
    });
  }

  /** The file with its hnswlib payload edited by `edit` and the header's size and SHA-256 made to match (a forged file). */
  function forged(bytes: Buffer, edit: (payload: Buffer) => Buffer | void): Buffer {
    const length = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + length).toString('utf8')) as { payload: { bytes: number; sha256: string } };
    const copy = Buffer.from(bytes.subarray(12 + length));
    const payload = edit(copy) ?? copy;
    header.payload = { bytes: payload.byteLength, sha256: createHash('sha256').update(payload).digest('hex') };
    const json = Buffer.from(JSON.stringify(header));
    const l = Buffer.alloc(4);
    l.writeUInt32LE(json.byteLength);
    return Buffer.concat([bytes.subarray(0, 8), l, json, payload]);
  }
  /** Overwrites `n` bytes of a payload at `offset` with a fixed pattern. */
  const scribble = (offset: number, n = 24) => (p: Buffer) => { for (let i = 0; i < n; i++) p[offset + i] = (i * 37 + 11) & 0xff; };
  const forgeries: Array<[string, (payload: Buffer) => Buffer | void, RegExp]> = [
    ['hnswlib header fields (maxlevel … M) overwritten', scribble(50), /enterpoint|maxM|maxlevel/],
    ['the first element\'s level-0 links overwritten', scribble(100), /element 0 has \d+ links at level 0, more than 32|element 0 links to element \d+ at level 0/],
    ['a neighbour id past the element count', (p) => { p.writeUInt32LE(N + 5, 96 + 4); }, /element 0 links to element 205 at level 0, which is not below 200/],
    ['a cur_element_count that disagrees', (p) => { p.writeBigUInt64LE(BigInt(N - 1), 16); }, /cur_element_count is 199, expected 200/],
    ['a size_data_per_element of 0', (p) => { p.writeBigUInt64LE(0n, 24); }, /size_data_per_element is 0, expected \d+/],
    ['a payload cut short', (p) => p.subarray(0, p.length - 8), /the header and link lists describe \d+|the link lists end after element/],
    ['a payload too short for hnswlib\'s header', (p) => p.subarray(0, 50), /^corrupt: [^:]+: 50 bytes, less than hnswlib's 96-byte header$/],
    ['a payload of zeros', (p) => Buffer.alloc(p.length), /max_elements is 0, expected 200/],
  ];
  for (const [what, edit, reason] of forgeries) {
    it(`rebuilds a payload whose checksum was made to match after ${what}, before hnswlib reads it`, async () => {
      const { dir, file } = await savedIndex(table);
      writeFileSync(file, forged(readFileSync(file), edit));
      const result = await reopen(dir, table);
      expect(result.origin).toBe('built');
      expect(result.reason).toMatch(/^corrupt: the hnswlib payload does not match the index header: /);
      expect(result.reason).toMatch(reason);
      expect((await reopen(dir, table)).origin).toBe('loaded');
    });
  }

  it('says a header without a version or a format has none, not "undefined"', async () => {
    const { dir, file } = await savedIndex(table);
    const bytes = readFileSync(file);
    const length = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + length).toString('utf8')) as Record<string, unknown>;
    const rewritten = (h: unknown): Buffer => {
      const json = Buffer.from(JSON.stringify(h));
      const l = Buffer.alloc(4);
      l.writeUInt32LE(json.byteLength);
      return Buffer.concat([bytes.subarray(0, 8), l, json, bytes.subarray(12 + length)]);
    };
    const { version: _version, ...noVersion } = header;
    writeFileSync(file, rewritten(noVersion));
    expect((await reopen(dir, table)).reason).toBe(`stale: index header has no version field, this kgdistill writes version ${INDEX_VERSION}`);
    const { format: _format, ...noFormat } = header;
    writeFileSync(file, rewritten(noFormat));
    expect((await reopen(dir, table)).reason).toBe('corrupt: not a kgdistill index (its header has no format field)');
    writeFileSync(file, rewritten([1, 2, 3]));
    expect((await reopen(dir, table)).reason).toBe('corrupt: header is not a JSON object');
  });

  it('a header with a wrong shape (count) is refused before hnswlib reads the payload', async () => {
    const { dir, file } = await savedIndex(table);
    const bytes = readFileSync(file);
    const length = bytes.readUInt32LE(8);
    const header = bytes.subarray(12, 12 + length).toString('utf8').replace(`"count":${N}`, `"count":${N + 1}`);
    const l = Buffer.alloc(4);
    l.writeUInt32LE(Buffer.byteLength(header));
    writeFileSync(file, Buffer.concat([bytes.subarray(0, 8), l, Buffer.from(header), bytes.subarray(12 + length)]));
    expect((await reopen(dir, table)).reason).toMatch(/index holds 201 × 8 \(l2\), expected 200 × 8 \(l2\)/);
  });

  it('still answers from memory when the index cannot be saved', async () => {
    const dir = tempDir('unwritable');
    writeFileSync(path.join(dir, 'lookup'), 'a file where the lookup directory should be');
    const result = await reopen(dir, table);
    expect(result.origin).toBe('built');
    // the file cannot be read either: unreadable, in plain words, not "corrupt"
    expect(result.notices[0]).toMatch(/^rebuilding index .*lookup\/best\.lorentz-\w+\.hnsw \(unreadable: a part of this path is a file where a directory is needed \(ENOTDIR\)\)$/);
    expect(result.notices.join('\n')).toMatch(/could not save index .* using it from memory/);
  });

  it('concurrent requests share one build; different spaces get different files', async () => {
    const dir = tempDir('concurrent');
    const { store, notices } = storeFor(dir, table);
    const [a, b] = await Promise.all([store.get(SPEC), store.get(SPEC)]);
    expect(a).toBe(b);
    expect(notices).toHaveLength(1);
    const euclid = await store.get(neighborSpace('euclidean'));
    expect(euclid.file).toBe(path.join(dir, 'lookup', 'best.euclidean.hnsw'));
    expect(existsSync(a.file) && statSync(euclid.file).size > 0).toBe(true);
  });
});
