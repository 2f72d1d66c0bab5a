/**
 * The service's request schemas (zod, the one schema system of the service): each route's parameters as a query
 * string (every value a string, parsed strictly: `k` is decimal digits only, so `1e3`, `0x10`, `+5` and ` 5` are
 * rejected; booleans are `true` or `false`) or as a JSON body (JSON types: `k` a JSON integer, booleans JSON
 * booleans). Unknown parameters are rejected. Every failure becomes one message naming the parameter.
 */
import { z } from 'zod';
import { headOrTailMessage, listOnlyMessage } from '../lookup/predict-form.js';
import { MAX_NAME_LENGTH } from '../kg/name-limits.js';

/** Largest k a request may ask for unless `serve --max-k` says otherwise. */
export const DEFAULT_MAX_K = 1000;
/** Longest entity or relation name accepted: the longest a model can hold (the triple readers refuse longer ones). */
export const MAX_NAME = MAX_NAME_LENGTH;
/** Longest model name accepted in a path (serve refuses to serve a run under a longer one). */
export const MAX_MODEL_NAME = 200;

/** A neighbours request after validation. */
export interface NeighborsRequest {
  entity: string;
  k?: number;
  exact?: boolean;
}

/** A prediction request after validation: with head and tail both, the score of that one triple (no k, no filtered). */
export interface PredictRequestBody {
  head?: string;
  tail?: string;
  relation: string;
  k?: number;
  filtered?: boolean;
  exact?: boolean;
}

/** A value as a message shows it: strings quoted and cut, lists and objects by kind. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Error callback of one parameter: "<name> is required" when absent, else `problem` with the value. */
const because = (name: string, problem: string) => (issue: { input?: unknown }): string =>
  issue.input === undefined ? `${name} is required` : `${name} ${problem}, got ${shown(issue.input)}`;

const nameParam = (name: string) => {
  const problem = because(name, `must be a non-empty string of at most ${MAX_NAME} characters`);
  // a JSON number meant as an id: say how to give one (ids are strings, as in a query string)
  const error = (issue: { input?: unknown }): string => Number.isSafeInteger(issue.input) && (issue.input as number) >= 0
    ? `${problem(issue)}: give an id as a string, "${String(issue.input)}"`
    : problem(issue);
  return z.string({ error }).min(1, { error }).max(MAX_NAME, { error });
};

const kProblem = (maxK: number): string => `must be an integer from 1 to ${maxK}`;
const kBody = (maxK: number) => {
  const error = because('k', kProblem(maxK));
  return z.number({ error }).int({ error }).min(1, { error }).max(maxK, { error });
};
const kQuery = (maxK: number) => {
  const error = because('k', kProblem(maxK));
  return z.string({ error }).regex(/^[1-9][0-9]{0,15}$/, { error }).transform(Number).pipe(z.number().max(maxK, { error: () => `k ${kProblem(maxK)}, got a larger number` }));
};
const flagBody = (name: string) => z.boolean({ error: because(name, 'must be true or false') });
const flagQuery = (name: string) => z.enum(['true', 'false'], { error: because(name, 'must be true or false') }).transform((v) => v === 'true');

/** Path parameters of the model routes. */
export const modelParams = z.strictObject({ model: z.string().min(1, { error: 'model name is empty' }).max(MAX_MODEL_NAME, { error: `model name longer than ${MAX_MODEL_NAME} characters` }) });

/** The schemas of one route's input as a query string and as a JSON body. */
export interface RouteSchemas<T> {
  query: z.ZodType<T>;
  body: z.ZodType<T>;
}

/** `{ entity, k?, exact? }`. */
export function neighborsSchemas(maxK: number): RouteSchemas<NeighborsRequest> {
  const shape = (k: z.ZodType<number>, flag: (name: string) => z.ZodType<boolean>) => z.strictObject({ entity: nameParam('entity'), k: k.optional(), exact: flag('exact').optional() });
  return { query: shape(kQuery(maxK), flagQuery), body: shape(kBody(maxK), flagBody) };
}

/** Parameters that only a list of answers takes (refused with head and tail both, as `kgdistill predict` refuses them). */
const LIST_ONLY = ['k', 'filtered'] as const;

/** Adds the issue of a prediction request that gives neither head nor tail, or both with a list-only parameter. */
function checkPredictForm(request: PredictRequestBody, ctx: z.RefinementCtx): void {
  if (request.head === undefined && request.tail === undefined) {
    ctx.addIssue({ code: 'custom', path: ['head'], message: headOrTailMessage('head', 'tail') });
    return;
  }
  if (request.head === undefined || request.tail === undefined) return;
  const listOnly = LIST_ONLY.filter((key) => request[key] !== undefined);
  if (listOnly.length === 0) return;
  ctx.addIssue({ code: 'custom', path: [listOnly[0]!], message: listOnlyMessage(listOnly, 'head', 'tail') });
}

/**
 * `{ head | tail, relation, k?, filtered?, exact? }` (top-k answers) or `{ head, relation, tail, exact? }` (the score
 * and filtered rank of one triple, as `kgdistill predict --head --relation --tail`).
 */
export function predictSchemas(maxK: number): RouteSchemas<PredictRequestBody> {
  const shape = (k: z.ZodType<number>, flag: (name: string) => z.ZodType<boolean>) => z.strictObject({
    head: nameParam('head').optional(), tail: nameParam('tail').optional(), relation: nameParam('relation'),
    k: k.optional(), filtered: flag('filtered').optional(), exact: flag('exact').optional(),
  }).superRefine(checkPredictForm);
  return { query: shape(kQuery(maxK), flagQuery), body: shape(kBody(maxK), flagBody) };
}

/** One message for a failed parse: the first issue, with the parameter named (unknown keys listed). */
export function issueMessage(error: z.ZodError, allowed: readonly string[]): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k.slice(0, 40)}'`).join(', ');
    return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${keys} (allowed: ${allowed.join(', ')})`;
  }
  if (issue.path.length === 0) return 'the parameters must be a JSON object';
  return issue.message;
}

/** The keys a schema allows (for messages). */
export function allowedKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
