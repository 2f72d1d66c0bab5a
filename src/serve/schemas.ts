/** JSON schemas of the service's requests (fastify validates every body, query string and path against them). */

/** k when a request gives none. */
export const DEFAULT_K = 10;
/** Largest k a request may ask for unless `serve --max-k` says otherwise. */
export const DEFAULT_MAX_K = 1000;
/** Longest entity or relation name accepted. */
const MAX_NAME = 512;

const name = { type: 'string', minLength: 1, maxLength: MAX_NAME } as const;

/** Path parameters: the model (checkpoint) name. */
export const modelParams = {
  type: 'object',
  required: ['model'],
  additionalProperties: false,
  properties: { model: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Body or query of a neighbours request. */
export function neighborsSchema(maxK: number) {
  return {
    type: 'object',
    required: ['entity'],
    additionalProperties: false,
    properties: { entity: name, k: { type: 'integer', minimum: 1, maximum: maxK }, exact: { type: 'boolean' } },
  } as const;
}

/** Body or query of a prediction request: head or tail (checked in the handler), relation, k, flags. */
export function predictSchema(maxK: number) {
  return {
    type: 'object',
    required: ['relation'],
    additionalProperties: false,
    properties: {
      head: name,
      tail: name,
      relation: name,
      k: { type: 'integer', minimum: 1, maximum: maxK },
      filtered: { type: 'boolean' },
      exact: { type: 'boolean' },
    },
  } as const;
}

/** A neighbours request after validation. */
export interface NeighborsRequest {
  entity: string;
  k?: number;
  exact?: boolean;
}

/** A prediction request after validation. */
export interface PredictRequestBody {
  head?: string;
  tail?: string;
  relation: string;
  k?: number;
  filtered?: boolean;
  exact?: boolean;
}
