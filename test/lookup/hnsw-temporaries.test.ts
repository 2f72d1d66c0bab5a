// hnswlib reads and writes only files: the service's index bytes pass through the system's temporary directory,
// where a process killed meanwhile leaves a file of the index's size. The next process removes those of dead pids.
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { hnswToBytes } from '../../src/lookup/hnsw.js';

describe('hnswlib temporary files', () => {
  it("removes the ones of processes that are gone on first use, and never a living process's", async () => {
    const dead = path.join(tmpdir(), 'kgdistill-hnsw-2147483646-0123456789ab.bin');
    const living = path.join(tmpdir(), `kgdistill-hnsw-${process.ppid}-0123456789ab.bin`);
    for (const file of [dead, living]) writeFileSync(file, 'left over');
    const index = new hnswlib.HierarchicalNSW('l2', 2);
    index.initIndex(4);
    index.addPoint([0, 1], 0);
    expect((await hnswToBytes(index)).byteLength).toBeGreaterThan(0);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(living)).toBe(true);
    (await import('node:fs')).rmSync(living);
  });
});
