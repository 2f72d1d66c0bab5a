import { it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { loadDataset, type KgDataset } from '../../src/kg/dataset.js';
import { readTripleFile } from '../../src/kg/triple-reader.js';
import { FilterIndex } from '../../src/kg/filter-index.js';
import { graphStats } from '../../src/kg/graph-stats.js';
import { relationCategories } from '../../src/kg/relation-categories.js';
import { usePrivateManifestCache } from './helpers.js';
import { describeWithBenchmark } from '../helpers/datasets.js';

// Canonical counts from data/*/README.md and the literature (after dropping unseen: FB15k-237 test 20,438, WN18RR
// test 2,924; train vocabularies 14,505 and 40,559 entities). Each block runs when its dataset is on this machine
// (../shared/data, $KGDISTILL_DATA or the cache) and otherwise says which `kgdistill data fetch` gets it.

/** Number of weakly connected components and the largest one's size, by union-find (independent of graphology). */
function componentsByUnionFind(dataset: KgDataset): { count: number; largestSize: number } {
  const parent = Int32Array.from({ length: dataset.entities.size }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (const triples of [dataset.train, dataset.valid, dataset.test]) {
    for (let i = 0; i < triples.length; i += 3) parent[find(triples[i]!)] = find(triples[i + 2]!);
  }
  const sizes = new Map<number, number>();
  for (let e = 0; e < parent.length; e++) sizes.set(find(e), (sizes.get(find(e)) ?? 0) + 1);
  return { count: sizes.size, largestSize: Math.max(...sizes.values()) };
}

usePrivateManifestCache();

describeWithBenchmark('FB15k-237', 'FB15k-237', (dir) => {
  let keep: KgDataset;
  beforeAll(async () => {
    keep = await loadDataset(dir); // unseen: 'keep' is the default
  });

  it('has the canonical counts over all splits', () => {
    expect(keep.name).toBe('FB15k-237');
    expect(keep.dir).toBe(dir);
    expect(keep.entities.size).toBe(14_541);
    expect(keep.relations.size).toBe(237);
    expect([keep.train.length / 3, keep.valid.length / 3, keep.test.length / 3]).toEqual([272_115, 17_535, 20_466]);
    expect(keep.report.lines).toEqual({ train: 272_115, valid: 17_535, test: 20_466 });
    expect(keep.report.duplicates).toEqual({ train: 0, valid: 0, test: 0 });
    expect(keep.report.unseen).toEqual({ valid: 9, test: 28 });
    expect(keep.report.manifest.verified).toBe(true);
    expect(keep.entityNames?.get('/m/09c7w0')).toBe('United States of America');
  });

  it("drops the 9 valid and 28 test triples with unseen entities with unseen: 'drop'; the files are hashed again (no cache)", async () => {
    const drop = await loadDataset(dir, { unseen: 'drop' });
    expect(drop.entities.size).toBe(14_505);
    expect([drop.train.length / 3, drop.valid.length / 3, drop.test.length / 3]).toEqual([272_115, 17_526, 20_438]);
    expect(drop.report.manifest).toMatchObject({ verified: true });
  });

  it('reads the 272k-line train file with the first and last triple at the right lines', async () => {
    const raw = await readTripleFile(path.join(dir, 'train.txt'));
    expect(raw.length).toBe(272_115);
    expect(raw[0]).toEqual({ head: '/m/027rn', relation: '/location/country/form_of_government', tail: '/m/06cx9', line: 1 });
    expect(raw.at(-1)).toEqual({
      head: '/m/020jqv',
      relation: '/award/award_nominee/award_nominations./award/award_nomination/nominated_for',
      tail: '/m/09d3b7',
      line: 272_115,
    });
  });

  it('builds a filter index knowing every triple in both directions', () => {
    const index = FilterIndex.build(keep.entities.size, keep.relations.size, [keep.train, keep.valid, keep.test]);
    expect(index.numAnswers).toBe(2 * 310_116); // no triple occurs in two splits
    const R = keep.relations.size;
    for (const triples of [keep.train, keep.test]) {
      for (let i = 0; i < triples.length; i += 3 * 97) {
        expect(index.isKnown(triples[i]!, triples[i + 1]!, triples[i + 2]!)).toBe(true);
        expect(index.isKnown(triples[i + 2]!, triples[i + 1]! + R, triples[i]!)).toBe(true);
      }
    }
    const usa = keep.entities.id('/m/09c7w0')!;
    const containedBy = keep.relations.id('/location/location/contains')!;
    expect(index.answers(usa, containedBy).length).toBeGreaterThan(100);
  });

  it('has the graph statistics of a plain count over the files', () => {
    const stats = graphStats(keep);
    expect(stats.counts).toEqual({ entities: 14_541, relations: 237, triples: { train: 272_115, valid: 17_535, test: 20_466 }, totalTriples: 310_116 });
    // awk '{c[$1]++; c[$3]++}' over the three files: United States 8,642, US dollar 4,749, /m/08mbj5d 4,364
    expect(stats.hubs.slice(0, 3)).toEqual([
      { entity: '/m/09c7w0', name: 'United States of America', degree: 8_642 },
      { entity: '/m/09nqf', name: 'United States dollar', degree: 4_749 },
      { entity: '/m/08mbj5d', degree: 4_364 },
    ]);
    expect(stats.degree.max).toBe(8_642);
    expect(stats.degree.mean).toBeCloseTo((2 * 310_116) / 14_541, 10);
    expect(stats.components).toEqual({ ...componentsByUnionFind(keep), isolatedEntities: 0 });
    // The usual FB15k-237 split of relation categories: 17 1-1, 26 1-N, 81 N-1, 113 N-N.
    expect(stats.relationCategories.counts).toEqual({ '1-1': 17, '1-N': 26, 'N-1': 81, 'N-N': 113 });
  });
});

describeWithBenchmark('WN18RR', 'WN18RR', (dir) => {
  let keep: KgDataset;
  beforeAll(async () => {
    keep = await loadDataset(dir, { unseen: 'keep' });
  });

  it('has the canonical counts over all splits', () => {
    expect(keep.entities.size).toBe(40_943);
    expect(keep.relations.size).toBe(11);
    expect([keep.train.length / 3, keep.valid.length / 3, keep.test.length / 3]).toEqual([86_835, 3_034, 3_134]);
    expect(keep.report.unseen).toEqual({ valid: 210, test: 210 });
    expect(keep.report.duplicates).toEqual({ train: 0, valid: 0, test: 0 });
  });

  it("drops 210 valid and 210 test triples with unseen: 'drop'", async () => {
    const drop = await loadDataset(dir, { unseen: 'drop' });
    expect(drop.entities.size).toBe(40_559);
    expect([drop.valid.length / 3, drop.test.length / 3]).toEqual([2_824, 2_924]);
  });

  it('has the graph statistics of a plain count over the files', () => {
    const stats = graphStats(keep);
    // awk degree count: min 1, median 3, max 521 (city.n.01)
    expect(stats.degree).toMatchObject({ min: 1, median: 3, max: 521 });
    expect(stats.hubs[0]).toEqual({ entity: '08524735', name: 'city.n.01', degree: 521 });
    expect(stats.components).toEqual({ ...componentsByUnionFind(keep), isolatedEntities: 0 });
    const byRelation = Object.fromEntries(stats.relationCategories.perRelation.map((row) => [row.relation, row.category]));
    expect(byRelation).toEqual({
      _also_see: 'N-N',
      _derivationally_related_form: 'N-N',
      _has_part: '1-N',
      _hypernym: 'N-1',
      _instance_hypernym: 'N-1',
      _member_meronym: '1-N',
      _member_of_domain_region: '1-N',
      _member_of_domain_usage: '1-N',
      _similar_to: '1-1',
      _synset_domain_topic_of: 'N-1',
      _verb_group: '1-1',
    });
    expect(relationCategories(keep.train, keep.relations.size).filter((c) => c === '1-1').length).toBe(2);
  });
});
