/**
 * Descriptive statistics of a loaded dataset, computed on a graphology MultiDirectedGraph holding one node per
 * entity and one edge per triple of all three splits: counts, degree distribution, top hubs, relation categories
 * (Bordes et al. 2013) and weakly connected components. The result is plain JSON-serialisable data.
 */
import { MultiDirectedGraph } from 'graphology';
import { forEachConnectedComponentOrder } from 'graphology-components';
import type { RelationCategory, SplitName } from './types.js';
import type { KgDataset } from './dataset.js';
import { relationCategoryStats } from './relation-categories.js';
import { SPLIT_NAMES } from './resolve-dataset.js';

/** Number of highest-degree entities listed in {@link GraphStats.hubs}. */
export const HUB_COUNT = 10;

/** One high-degree entity: its id string in the dataset, readable name when known, and degree. */
export interface Hub {
  entity: string;
  name?: string;
  degree: number;
}

/** Category and the numbers behind it for one relation. */
export interface RelationCategoryRow {
  relation: string;
  /** null for a relation without triples (in the vocabulary only). */
  category: RelationCategory | null;
  triples: number;
  tailsPerHead: number;
  headsPerTail: number;
}

/** Statistics of a dataset over all splits (see module comment); JSON-serialisable. */
export interface GraphStats {
  name: string;
  counts: { entities: number; relations: number; triples: Record<SplitName, number>; totalTriples: number };
  /** Degree = number of triple ends at an entity (in + out; a self-loop counts twice), all splits. */
  degree: { min: number; median: number; mean: number; max: number };
  hubs: Hub[];
  relationCategories: {
    /** Triples the categories were computed on. */
    computedOn: 'all splits';
    counts: Record<RelationCategory, number>;
    perRelation: RelationCategoryRow[];
  };
  /** Weakly connected components (edge direction ignored); isolated entities are components of size 1. */
  components: { count: number; largestSize: number; isolatedEntities: number };
}

/** Median of sorted numbers (mean of the two middle ones for an even count); 0 when empty. */
function sortedMedian(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const middle = n >> 1;
  return n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Concatenation of the three splits' triples. */
function allTriples(dataset: KgDataset): Int32Array {
  const all = new Int32Array(dataset.train.length + dataset.valid.length + dataset.test.length);
  all.set(dataset.train, 0);
  all.set(dataset.valid, dataset.train.length);
  all.set(dataset.test, dataset.train.length + dataset.valid.length);
  return all;
}

/** Computes {@link GraphStats} for a dataset, over all splits. */
export function graphStats(dataset: KgDataset): GraphStats {
  const { entities, relations } = dataset;
  const triples = allTriples(dataset);
  const graph = new MultiDirectedGraph();
  for (const name of entities.names) graph.addNode(name);
  for (let i = 0; i < triples.length; i += 3) {
    graph.addDirectedEdgeWithKey(i / 3, entities.name(triples[i]!), entities.name(triples[i + 2]!));
  }

  const degrees = new Int32Array(entities.size);
  for (let id = 0; id < entities.size; id++) degrees[id] = graph.degree(entities.name(id));
  const sortedDegrees = degrees.slice().sort();
  const hubIds = Array.from(degrees.keys())
    .sort((a, b) => degrees[b]! - degrees[a]! || a - b) // ties: lower id, i.e. code-unit name order
    .slice(0, HUB_COUNT);
  const hubs = hubIds.map((id): Hub => {
    const entity = entities.name(id);
    const name = dataset.entityNames?.get(entity);
    return name === undefined ? { entity, degree: degrees[id]! } : { entity, name, degree: degrees[id]! };
  });

  let componentCount = 0;
  let largestSize = 0;
  let isolatedEntities = 0;
  forEachConnectedComponentOrder(graph, (order) => {
    componentCount++;
    if (order > largestSize) largestSize = order;
  });
  for (let id = 0; id < entities.size; id++) if (degrees[id] === 0) isolatedEntities++;

  const categoryCounts: Record<RelationCategory, number> = { '1-1': 0, '1-N': 0, 'N-1': 0, 'N-N': 0 };
  const perRelation = relationCategoryStats(triples, relations.size).map((stats, r): RelationCategoryRow => {
    if (stats.category !== null) categoryCounts[stats.category]++;
    return {
      relation: relations.name(r),
      category: stats.category,
      triples: stats.triples,
      tailsPerHead: stats.tailsPerHead,
      headsPerTail: stats.headsPerTail,
    };
  });

  const tripleCounts = {} as Record<SplitName, number>;
  for (const split of SPLIT_NAMES) tripleCounts[split] = dataset[split].length / 3;
  return {
    name: dataset.name,
    counts: { entities: entities.size, relations: relations.size, triples: tripleCounts, totalTriples: triples.length / 3 },
    degree: {
      min: entities.size === 0 ? 0 : sortedDegrees[0]!,
      median: sortedMedian(sortedDegrees),
      mean: entities.size === 0 ? 0 : (2 * triples.length) / 3 / entities.size,
      max: entities.size === 0 ? 0 : sortedDegrees[entities.size - 1]!,
    },
    hubs,
    relationCategories: { computedOn: 'all splits', counts: categoryCounts, perRelation },
    components: { count: componentCount, largestSize, isolatedEntities },
  };
}
