// A run stored padded for the kernels (DistMult d = 6 stored 8 wide, table-padding.ts): what the lookup writes and
// answers is at the asked width — the HNSW index file's rows are 6 wide, the neighbours' similarities are the inner
// products of the 6-wide rows `embeddings()` gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createModel } from '../../src/registry/models.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { trainModelRun } from './trained-run.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('padded-run');
let run: string;

beforeAll(async () => {
  run = await trainModelRun(tmp, (sizes) => {
    const model = createModel('DistMult', { dim: 6, ...sizes });
    expect(model.config.storedDim).toBe(8);
    return model;
  }, 2);
});

describe('a padded run in the lookup', () => {
  it('writes its index at the asked width and answers with the asked rows', async () => {
    const lookup = await CheckpointLookup.open(run);
    const { entities, tables } = lookup.embeddings();
    expect(tables.entity!.dim).toBe(6);
    const found = await lookup.neighbors('e5', 5);
    expect(found.method).toBe('hnsw');
    const rows = tables.entity!.values;
    const dot = (a: number, b: number): number => {
      let s = 0;
      for (let k = 0; k < 6; k++) s += rows[a * 6 + k]! * rows[b * 6 + k]!;
      return s;
    };
    const e5 = entities.indexOf('e5');
    expect(found.entity.id).toBe(e5);
    expect(found.neighbors.length).toBe(5);
    for (const n of found.neighbors) expect(n.similarity).toBeCloseTo(dot(e5, n.id), 5);
    const indexFiles = readdirSync(path.join(run, 'lookup')).filter((f) => f.endsWith('.hnsw'));
    expect(indexFiles.length).toBe(1);
    const header = readFileSync(path.join(run, 'lookup', indexFiles[0]!)).subarray(0, 4096).toString('latin1');
    expect(/"dim":(\d+)/.exec(header)?.[1]).toBe('6'); // was 8: the stored width, its zero columns in the file
    lookup.close();
  });
});
