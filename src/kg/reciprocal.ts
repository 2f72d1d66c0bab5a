/**
 * Reciprocal relations for head prediction (Lacroix et al. 2018; Kazemi & Poole 2018): every triple (h, r, t)
 * also appears as (t, r + R, h), so that a head query (?, r, t) is answered as the tail query (t, r⁻¹, ?).
 */
import type { Triples } from './types.js';

/** The 2n triples: first all originals (h, r, t) in order, then all reciprocals (t, r + numRelations, h) in the same order. */
export function withReciprocals(triples: Triples, numRelations: number): Triples {
  if (triples.length % 3 !== 0) throw new RangeError(`triple array length ${triples.length} is not a multiple of 3`);
  const n = triples.length;
  const out = new Int32Array(2 * n);
  out.set(triples, 0);
  for (let i = 0; i < n; i += 3) {
    out[n + i] = triples[i + 2]!;
    out[n + i + 1] = triples[i + 1]! + numRelations;
    out[n + i + 2] = triples[i]!;
  }
  return out;
}
