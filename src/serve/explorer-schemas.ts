/**
 * The request schemas of the explorer's routes (zod, like schemas.ts: query strings parsed strictly, unknown
 * parameters rejected, every failure one message naming the parameter):
 *
 *   GET  /models/:model/suggest      { q, k? }                                   entity suggestions as one types
 *   POST /models/:model/projection   { entity, ids }                             2-D coordinates of shown entities
 *   GET  /models/:model/compare      { head | tail, relation, gold?, k? }        a student's answers beside its teachers'
 */
import { z } from 'zod';
import { MAX_NAME, shown } from './schemas.js';
import { MAX_PROJECTED } from '../lookup/projection.js';

/** Most suggestions one request may ask for. */
export const MAX_SUGGESTIONS = 20;
/** Most answers per model of a comparison. */
export const MAX_COMPARE_K = 50;

/** A validated suggestions request. */
export interface SuggestRequest {
  q: string;
  k?: number;
}

/** A validated projection request. */
export interface ProjectionRequest {
  entity: string;
  ids: number[];
}

/** A validated comparison request. */
export interface CompareRequest {
  head?: string;
  tail?: string;
  relation: string;
  gold?: string;
  k?: number;
}

const because = (name: string, problem: string) => (issue: { input?: unknown }): string =>
  issue.input === undefined ? `${name} is required` : `${name} ${problem}, got ${shown(issue.input)}`;

const name = (field: string) => {
  const error = because(field, `must be a non-empty string of at most ${MAX_NAME} characters`);
  return z.string({ error }).min(1, { error }).max(MAX_NAME, { error });
};

/** A query-string integer in [1, max]: decimal digits only. */
const countQuery = (field: string, max: number) => {
  const error = because(field, `must be an integer from 1 to ${max}`);
  return z.string({ error }).regex(/^[1-9][0-9]{0,5}$/, { error }).transform(Number).pipe(z.number().max(max, { error: () => `${field} must be an integer from 1 to ${max}, got a larger number` }));
};

/** `{ q, k? }` as a query string. */
export const suggestQuery: z.ZodType<SuggestRequest> = z.strictObject({ q: name('q'), k: countQuery('k', MAX_SUGGESTIONS).optional() });

/** `{ entity, ids }` as a JSON body: ids are entity ids (integers ≥ 0), at most MAX_PROJECTED of them. */
/** Every problem of `ids` (not a list, or an element that is no entity id) in one message naming the field. */
const idsError = because('ids', 'must be a list of entity ids (integers ≥ 0)');

export const projectionBody: z.ZodType<ProjectionRequest> = z.strictObject({
  entity: name('entity'),
  ids: z.array(z.number({ error: idsError }).int({ error: idsError }).min(0, { error: idsError }).max(2 ** 31 - 1, { error: idsError }), { error: idsError })
    .max(MAX_PROJECTED, { error: `ids may list at most ${MAX_PROJECTED} entities` }),
});

/** `{ head | tail, relation, gold?, k? }` as a query string (exactly one of head and tail: checked by the route). */
export const compareQuery: z.ZodType<CompareRequest> = z.strictObject({
  head: name('head').optional(), tail: name('tail').optional(), relation: name('relation'), gold: name('gold').optional(),
  k: countQuery('k', MAX_COMPARE_K).optional(),
});
