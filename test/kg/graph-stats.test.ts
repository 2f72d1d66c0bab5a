import { describe, it, expect } from 'vitest';
import { loadDataset } from '../../src/kg/dataset.js';
import { graphStats } from '../../src/kg/graph-stats.js';
import { tempDir, writeFiles } from './helpers.js';

describe('graphStats', () => {
  it('computes counts, degrees, hubs, categories and components of a hand-made graph', async () => {
    // Edges over all splits: a→b, b→c (r); d→e (s); a→c (s); f→f (r, a self-loop only in test).
    const dir = writeFiles(tempDir(), {
      'train.txt': 'a\tr\tb\nb\tr\tc\nd\ts\te\n',
      'valid.txt': 'a\ts\tc\n',
      'test.txt': 'f\tr\tf\n',
      'entity_names.tsv': 'a\tAlpha\nf\tFoxtrot\n',
    });
    const stats = graphStats(await loadDataset(dir, { unseen: 'keep' }));
    expect(stats.counts).toEqual({ entities: 6, relations: 2, triples: { train: 3, valid: 1, test: 1 }, totalTriples: 5 });
    // degrees a 2, b 2, c 2, d 1, e 1, f 2 (the self-loop counts at both ends)
    expect(stats.degree).toEqual({ min: 1, median: 2, mean: 10 / 6, max: 2 });
    expect(stats.hubs).toEqual([
      { entity: 'a', name: 'Alpha', degree: 2 },
      { entity: 'b', degree: 2 },
      { entity: 'c', degree: 2 },
      { entity: 'f', name: 'Foxtrot', degree: 2 },
      { entity: 'd', degree: 1 },
      { entity: 'e', degree: 1 },
    ]);
    // r: (a,b) (b,c) (f,f) → 3 heads, 3 tails; s: (d,e) (a,c) → both 1-1
    expect(stats.relationCategories).toEqual({
      computedOn: 'all splits',
      counts: { '1-1': 2, '1-N': 0, 'N-1': 0, 'N-N': 0 },
      perRelation: [
        { relation: 'r', category: '1-1', triples: 3, tailsPerHead: 1, headsPerTail: 1 },
        { relation: 's', category: '1-1', triples: 2, tailsPerHead: 1, headsPerTail: 1 },
      ],
    });
    // {a, b, c}, {d, e}, {f}
    expect(stats.components).toEqual({ count: 3, largestSize: 3, isolatedEntities: 0 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('counts parallel edges in degrees and finds N-N and 1-N relations', async () => {
    // p: x→y twice with different relations, plus a star h→t1..t3 (1-N) and a 2×2 block (N-N)
    const dir = writeFiles(tempDir(), {
      'train.txt': 'x\tp\ty\nx\tq\ty\nh\tstar\tt1\nh\tstar\tt2\nh\tstar\tt3\nu1\tblock\tv1\nu1\tblock\tv2\nu2\tblock\tv1\nu2\tblock\tv2\n',
      'valid.txt': '',
      'test.txt': '',
    });
    const stats = graphStats(await loadDataset(dir));
    expect(stats.hubs.slice(0, 3)).toEqual([
      { entity: 'h', degree: 3 },
      { entity: 'u1', degree: 2 },
      { entity: 'u2', degree: 2 },
    ]);
    expect(stats.relationCategories.counts).toEqual({ '1-1': 2, '1-N': 1, 'N-1': 0, 'N-N': 1 });
    // degrees h3 t1 t2 t3 1 each, u1 u2 v1 v2 2 each, x2 y2 → sorted 1,1,1,2,2,2,2,2,2,3 → median 2
    expect(stats.degree).toEqual({ min: 1, median: 2, mean: 18 / 10, max: 3 });
    expect(stats.components).toEqual({ count: 3, largestSize: 4, isolatedEntities: 0 });
  });
});
