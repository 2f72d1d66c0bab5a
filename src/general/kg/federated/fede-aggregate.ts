/**
 * FedE's server (Chen et al. 2021, "FedE: Embedding Knowledge Graphs in Federated Setting", §3, the aggregation
 * E ← (1 ⊘ Σ_c v_c) ⊗ Σ_c P_cᵀ E_c, with the clients' entity-frequency weights of the reference code): each entity
 * row of the global table becomes the mean of the clients' rows weighted by how often each client saw the entity,
 *   E[e] = Σ_k n_k(e) · E_k[e] / Σ_k n_k(e),
 * An entity that no client saw in its triples (one only in valid/test) was still moved by every client as a uniform
 * negative (the core samples negatives over all entities, where FedE samples a client's own), so it gets the plain
 * mean of the clients' rows: with one client the server is then the identity and FedE is centralised training.
 * Relation rows are private; for evaluation the global model scores each relation (both directions) with its
 * owner's rows.
 */

/** Writes the frequency-weighted mean of the clients' entity rows into `global` (plain mean where no client saw the entity). */
export function aggregateEntities(global: Float32Array, locals: readonly Float32Array[], counts: readonly Int32Array[], dim: number): void {
  if (locals.length !== counts.length) throw new Error(`${locals.length} client tables but ${counts.length} count vectors`);
  const rows = global.length / dim;
  for (const [k, local] of locals.entries()) {
    if (local.length !== global.length) throw new Error(`client ${k}'s entity table has ${local.length} values, the global one ${global.length}`);
    if (counts[k]!.length !== rows) throw new Error(`client ${k}'s counts cover ${counts[k]!.length} entities, the table ${rows}`);
  }
  const sum = new Float64Array(dim);
  for (let e = 0; e < rows; e++) {
    let total = 0;
    sum.fill(0);
    for (let k = 0; k < locals.length; k++) {
      const n = counts[k]![e]!;
      if (n === 0) continue;
      total += n;
      const local = locals[k]!;
      for (let j = 0, o = e * dim; j < dim; j++, o++) sum[j]! += n * local[o]!;
    }
    if (total === 0) {
      for (const local of locals) for (let j = 0, o = e * dim; j < dim; j++, o++) sum[j]! += local[o]!;
      total = locals.length;
    }
    if (total === 0) continue;
    for (let j = 0, o = e * dim; j < dim; j++, o++) global[o] = sum[j]! / total;
  }
}

/** Copies each relation's rows r and r + R from its owner's relation table into `target` ([2R × dim]). */
export function assembleRelations(target: Float32Array, clientTables: readonly Float32Array[], owners: Int32Array, dim: number): void {
  const R = owners.length;
  if (target.length !== 2 * R * dim) throw new Error(`the relation table has ${target.length} values, expected ${2 * R * dim}`);
  for (let r = 0; r < R; r++) {
    const source = clientTables[owners[r]!];
    if (!source) throw new Error(`relation ${r} is owned by client ${owners[r]}, which has no table`);
    for (const row of [r, r + R]) target.set(source.subarray(row * dim, (row + 1) * dim), row * dim);
  }
}
