import { describe, expect, it } from 'vitest';
import { CandidateCache, MAX_CACHE_BYTES } from '../../src/muldE/candidate-cache.js';

// Six training queries, four distinct (e, r): positions 0 and 3 share (5, 1), positions 1 and 5 share (7, 0).
const queries = { entities: Int32Array.of(5, 7, 5, 5, 9, 7), relations: Int32Array.of(1, 0, 2, 1, 1, 0) };

describe('CandidateCache', () => {
  it('gives queries with the same (entity, relation) one slot, numbered in order of first appearance', () => {
    const cache = new CandidateCache(queries, 2, 1, 5);
    expect(cache.slots).toBe(4);
    expect(Array.from(cache.slotQueries.entities)).toEqual([5, 7, 5, 9]);
    expect(Array.from(cache.slotQueries.relations)).toEqual([1, 0, 2, 1]);
  });

  it('stores per slot and reads per training position', () => {
    const cache = new CandidateCache(queries, 2, 2, 5);
    const ids = Int32Array.of(10, 11, 20, 21, 30, 31, 40, 41);
    const teacherA = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const teacherB = Float32Array.of(-1, -2, -3, -4, -5, -6, -7, -8);
    cache.store([0, 1, 2, 3], ids, [teacherA, teacherB], 1);
    const read = cache.read(Int32Array.of(3, 5, 4));
    expect(Array.from(read.ids)).toEqual([10, 11, 20, 21, 40, 41]); // position 3 → slot 0, 5 → slot 1, 4 → slot 3
    expect(Array.from(read.teacherScores[0]!)).toEqual([1, 2, 3, 4, 7, 8]);
    expect(Array.from(read.teacherScores[1]!)).toEqual([-1, -2, -3, -4, -7, -8]);
  });

  it('is stale where a slot was never stored or is R or more epochs old', () => {
    const cache = new CandidateCache(queries, 1, 1, 3);
    expect(cache.anyStale(Int32Array.of(0), 1)).toBe(true);
    cache.store([0, 1], Int32Array.of(1, 2), [Float32Array.of(0, 0)], 1);
    expect(cache.anyStale(Int32Array.of(0, 3, 5), 3)).toBe(false); // slots 0 and 1, stored at epoch 1
    expect(cache.anyStale(Int32Array.of(0, 3, 5), 4)).toBe(true); // 4 − 1 ≥ 3
    expect(cache.anyStale(Int32Array.of(2), 2)).toBe(true); // slot 2 never stored
    expect(cache.staleSlots(2)).toEqual([2, 3]);
    expect(() => cache.anyStale(Int32Array.of(6), 2)).toThrow(/batch index 6 is not one of the 6 training queries/);
  });

  it('finds the distinct queries of a large shuffled set (hash collisions, reciprocal relations)', () => {
    const n = 300_000;
    const entities = new Int32Array(n), relations = new Int32Array(n);
    let seed = 12345;
    const next = (m: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % m);
    for (let q = 0; q < n; q++) {
      entities[q] = next(5000);
      relations[q] = next(40);
    }
    const cache = new CandidateCache({ entities, relations }, 1, 1, 5);
    const expected = new Set(Array.from(entities, (e, q) => `${e},${relations[q]}`));
    expect(cache.slots).toBe(expected.size);
    const seen = new Set(Array.from(cache.slotQueries.entities, (e, s) => `${e},${cache.slotQueries.relations[s]}`));
    expect(seen.size).toBe(expected.size);
    // every query reads back the slot of its own (e, r): each slot stores its entity as candidate, its relation as score
    cache.store(Array.from({ length: cache.slots }, (_, s) => s), Int32Array.from(cache.slotQueries.entities), [Float32Array.from(cache.slotQueries.relations)], 1);
    const read = cache.read(Int32Array.from({ length: n }, (_, q) => q));
    expect(Array.from(read.ids)).toEqual(Array.from(entities));
    expect(Array.from(read.teacherScores[0]!)).toEqual(Array.from(relations));
  });

  it('refuses a cache beyond its memory bound, counting distinct queries', () => {
    const n = 200_000;
    const many = { entities: Int32Array.from({ length: n }, (_, i) => i), relations: new Int32Array(n) };
    const k = Math.ceil(MAX_CACHE_BYTES / (n * 2 * 4)) + 1;
    expect(() => new CandidateCache(many, k, 1, 5)).toThrow(/200000 distinct queries × K=\d+ × the candidates and 1 teachers' scores\); lower --top-k or use --refresh-every 0/);
    const repeated = { entities: new Int32Array(n), relations: new Int32Array(n) }; // one distinct query
    expect(new CandidateCache(repeated, k, 1, 5).slots).toBe(1);
  });
});
