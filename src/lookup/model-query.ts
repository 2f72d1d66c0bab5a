/** The query point q(h, r) of one (entity, query relation) pair, computed by the model's own tfjs `query`. */
import * as tf from '@tensorflow/tfjs';
import type { ModelRuntime } from '../core/model-runtime.js';
import { gatherQueryRows, rowsByName } from '../core/query-rows.js';
import type { QueryPoint } from './exact-score.js';

/** q, its curvature (Poincaré models) and the query-only score term (head bias) of (entity, queryRelation). */
export function modelQuery(runtime: ModelRuntime, entity: number, queryRelation: number): QueryPoint {
  const { model, store } = runtime;
  let point: QueryPoint | undefined;
  tf.tidy(() => {
    const gathered = gatherQueryRows(model, store, Int32Array.of(entity), Int32Array.of(queryRelation));
    const out = model.query(rowsByName(gathered.names, gathered.tensors));
    const q = Float64Array.from(out.q.dataSync());
    const c = out.c ? out.c.dataSync()[0] : undefined;
    const offset = out.offset ? out.offset.dataSync()[0]! : 0;
    point = { q, c, offset };
  });
  return point!;
}
