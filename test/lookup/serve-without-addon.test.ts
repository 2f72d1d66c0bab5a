// A service on a machine without hnswlib-node's native addon: warming its lookups does not fail (it used to stop
// `kgdistill serve` at start); it is ready, says why there is no index, and answers neighbours exactly, with the
// same answers as an exact query.
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { setHnswlibLoader } from '../../src/lookup/hnsw.js';
import { tinyTrainedRun } from '../helpers/tiny-run.js';

afterEach(() => setHnswlibLoader());

describe('a lookup warmed without the HNSW addon', () => {
  it('is ready and answers neighbours exactly', async () => {
    const { run } = await tinyTrainedRun('noaddon-serve', { entities: 60, seed: 4 });
    setHnswlibLoader(() => {
      throw new Error('Could not locate the bindings file.');
    });
    const lookup = await CheckpointLookup.open(run, { indexMode: 'background' });
    try {
      await lookup.warm({ table: false });
      expect(lookup.indexReady).toBe(true);
      expect(lookup.indexProblem?.message).toContain('npm rebuild hnswlib-node');
      const answer = await lookup.neighbors(0, 5);
      expect(answer.method).toBe('exact');
      expect(answer.neighbors).toEqual((await lookup.neighbors(0, 5, { exact: true })).neighbors);
      expect(answer.neighbors).toHaveLength(5);
    } finally {
      await lookup.close();
    }
  }, 60_000);
});
