/**
 * The client split of federated KGE (FedE, Chen et al. 2021, §3 and §4.1, which splits a KG's triples by
 * relation): a seeded permutation of the relations is dealt round-robin to the M clients, so every relation —
 * with both its directions, r and r + R — belongs to exactly one client, and each client's subgraph is the
 * training triples of its relations. The entity table is shared; the clients' relation tables are private.
 */
import { SeededRandom } from '../../../core/random.js';
import type { Triples } from '../../../kg/types.js';

/** The owner client of each relation: relation perm[i] goes to client i mod M. */
export function relationOwners(numRelations: number, clients: number, seed: number | string): Int32Array {
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients must be a positive integer (got ${clients})`);
  if (clients > numRelations) throw new Error(`cannot give each of ${clients} clients a relation: the graph has ${numRelations} (lower the port's clients parameter to at most ${numRelations})`);
  const order = new SeededRandom(`relation-partition:${seed}`).permutation(numRelations);
  const owners = new Int32Array(numRelations);
  order.forEach((relation, i) => {
    owners[relation] = i % clients;
  });
  return owners;
}

/** Each client's training triples (the triples of the relations it owns, in their original order). */
export function clientTriples(train: Triples, owners: Int32Array, clients: number): Int32Array[] {
  const counts = new Array<number>(clients).fill(0);
  for (let i = 1; i < train.length; i += 3) counts[owners[train[i]!]!]!++;
  const parts = counts.map((n) => new Int32Array(3 * n));
  const filled = new Array<number>(clients).fill(0);
  for (let i = 0; i < train.length; i += 3) {
    const k = owners[train[i + 1]!]!;
    parts[k]!.set([train[i]!, train[i + 1]!, train[i + 2]!], filled[k]!);
    filled[k]! += 3;
  }
  return parts;
}

/** How often each entity occurs in triples (as head plus as tail): FedE's per-client aggregation weights. */
export function entityCounts(triples: Triples, numEntities: number): Int32Array {
  const counts = new Int32Array(numEntities);
  for (let i = 0; i < triples.length; i += 3) {
    counts[triples[i]!]!++;
    counts[triples[i + 2]!]!++;
  }
  return counts;
}
