// Checkpoints round-trip their arrays exactly (written array by array, no packed copy, hashed on the way), and a
// truncated, flipped or missing binary is an error naming the file.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadCheckpoint, readCheckpointHeader, saveCheckpoint, verifyCheckpoint, type CheckpointContent } from '../../src/core/checkpoint.js';

const header: CheckpointContent['header'] = {
  model: { model: 'DistMult', dim: 2, numEntities: 2, numRelations: 1, options: {} },
  training: {}, dataset: { name: 'tiny' }, vocab: { entities: ['a', 'b'], relations: ['r'] }, progress: { epoch: 3 },
};

async function saved(): Promise<{ dir: string; binary: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-ckpt-'));
  const shared = new Float32Array(new SharedArrayBuffer(40), 8, 4); // a view into kernel-like shared memory, not at offset 0
  shared.set([1.5, -2, 3.25, 4]);
  await saveCheckpoint(dir, 'last', { header, arrays: { entity: shared, relation: Float32Array.of(7, 8) } });
  const binary = readdirSync(dir).find((n) => n.endsWith('.bin'))!;
  return { dir, binary: path.join(dir, binary) };
}

describe('checkpoint files', () => {
  it('round-trips every array exactly, with its size and checksum in the header', async () => {
    const { dir, binary } = await saved();
    const loaded = await loadCheckpoint(dir, 'last');
    expect(Array.from(loaded.arrays.entity!)).toEqual([1.5, -2, 3.25, 4]);
    expect(Array.from(loaded.arrays.relation!)).toEqual([7, 8]);
    expect(Object.keys(loaded.arrays)).toEqual(['entity', 'relation']); // the seal is the reader's, not an array of the model
    // the arrays' 24 bytes, then the header's seal (one float per byte of its JSON)
    const seal = loaded.header.arrays.at(-1)!;
    expect(loaded.header.arrays.map((a) => [a.name, a.offset])).toEqual([['entity', 0], ['relation', 4], ['header-seal', 6]]);
    expect(readFileSync(binary).byteLength).toBe(24 + 4 * seal.length);
    expect(loaded.header.binary.bytes).toBe(24 + 4 * seal.length);
    const bytes = readFileSync(binary);
    const sealText = Buffer.from(Uint8Array.from(new Float32Array(bytes.buffer, bytes.byteOffset + 24, seal.length))).toString('utf8');
    expect(JSON.parse(sealText).model).toEqual({ model: 'DistMult', dim: 2, numEntities: 2, numRelations: 1, options: {} });
    expect(loaded.header.progress).toEqual({ epoch: 3 });
  });

  it('a truncated, flipped or missing binary is an error naming the file', async () => {
    const { dir, binary } = await saved();
    const bytes = readFileSync(binary);
    writeFileSync(binary, bytes.subarray(0, 20));
    await expect(loadCheckpoint(dir, 'last')).rejects.toThrow(new RegExp(`last-.*\\.bin: expected ${bytes.length} bytes, found 20 \\(truncated\\?\\)`));
    bytes[5] ^= 0xff;
    writeFileSync(binary, bytes);
    await expect(loadCheckpoint(dir, 'last')).rejects.toThrow(/last-.*\.bin: checksum mismatch/);
    rmSync(binary);
    await expect(loadCheckpoint(dir, 'last')).rejects.toThrow(/last-.*\.bin: binary part of the checkpoint is missing/);
  });

  it('a NaN or Infinity written into the binary and re-hashed is refused on load and on verify, naming the array and index', async () => {
    const { dir, binary } = await saved();
    const rehash = (floats: Float32Array) => { // the first floats (the arrays) replaced, the seal after them kept
      const bytes = readFileSync(binary);
      bytes.set(new Uint8Array(floats.buffer));
      writeFileSync(binary, bytes);
      const json = JSON.parse(readFileSync(path.join(dir, 'last.json'), 'utf8'));
      json.binary.sha256 = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(path.join(dir, 'last.json'), JSON.stringify(json));
    };
    rehash(Float32Array.of(1.5, -2, 3.25, 4, 7, NaN));
    await expect(loadCheckpoint(dir, 'last')).rejects.toThrow(/last-.*\.bin: array 'relation' holds NaN at index 1; a checkpoint holds finite numbers only/);
    await expect(verifyCheckpoint(dir, 'last')).rejects.toThrow(/array 'relation' holds NaN at index 1/);
    rehash(Float32Array.of(1.5, -Infinity, 3.25, 4, 7, 8));
    await expect(loadCheckpoint(dir, 'last')).rejects.toThrow(/array 'entity' holds -Infinity at index 1/);
    rehash(Float32Array.of(1.5, -2, 3.25, 4, 7, 8)); // the original values, hashed again: loads
    expect(Array.from((await loadCheckpoint(dir, 'last')).arrays.relation!)).toEqual([7, 8]);
  });
});

describe('a reader meeting a checkpoint being replaced (readers take no lock)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the new checkpoint when the binary its header named was removed by a newer commit; a binary still named and missing stays an error', async () => {
    const { dir } = await saved();
    const stale = readFileSync(path.join(dir, 'last.json'), 'utf8');
    await saveCheckpoint(dir, 'last', { header: { ...header, progress: { epoch: 4 } }, arrays: { entity: Float32Array.of(9, 9, 9, 9), relation: Float32Array.of(1, 2) } });
    // the reader had read the header just before the commit: it names the binary that the commit removed
    const readFile = fsp.readFile.bind(fsp);
    vi.spyOn(fsp, 'readFile').mockImplementationOnce(async () => stale).mockImplementation(readFile as typeof fsp.readFile);
    const loaded = await loadCheckpoint(dir, 'last');
    expect(loaded.header.progress).toEqual({ epoch: 4 });
    expect(Array.from(loaded.arrays.entity!)).toEqual([9, 9, 9, 9]);
    vi.restoreAllMocks();
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.bin'))) rmSync(path.join(dir, name));
    await expect(loadCheckpoint(dir, 'last')).rejects.toThrow(/last-.*\.bin: binary part of the checkpoint is missing/);
    await expect(verifyCheckpoint(dir, 'last')).rejects.toThrow(/binary part of the checkpoint is missing/);
  });
});

describe('checkpoint headers that name no format, no version, or a binary size its arrays do not hold', () => {
  it('say which field is missing or wrong, and never "undefined"', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-ckpt-fields-'));
    await saveCheckpoint(dir, 'best', { header, arrays: { entity: Float32Array.of(1, 2, 3, 4) } });
    const file = path.join(dir, 'best.json');
    const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const withHeader = (header: Record<string, unknown>): void => writeFileSync(file, JSON.stringify(header));
    withHeader({ ...good, format: undefined });
    await expect(readCheckpointHeader(dir, 'best')).rejects.toThrow(`${file}: not a kgdistill checkpoint (no 'format' field)`);
    withHeader({ ...good, format: 'other' });
    await expect(readCheckpointHeader(dir, 'best')).rejects.toThrow(`${file}: not a kgdistill checkpoint (format "other")`);
    withHeader({ ...good, version: undefined });
    await expect(readCheckpointHeader(dir, 'best')).rejects.toThrow(`${file}: no 'version' field: this kgdistill reads versions`);
    withHeader({ ...good, binary: { ...(good.binary as object), bytes: 18 } });
    const floats = 4 + (good.arrays as { length: number }[])[1]!.length; // entity's 4, and the seal
    await expect(readCheckpointHeader(dir, 'best')).rejects.toThrow(`${file}: binary.bytes is 18, but its arrays hold ${floats} float32 values (${4 * floats} bytes)`);
  });
});
