/**
 * The service's error answers, `{ error, message, suggestions? }`, sent by one function so that every refusal — the
 * API's and the explorer's — is also what its request's log line names (`error`, `message`).
 */
import type { FastifyReply } from 'fastify';

/** The body of an error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  suggestions?: readonly string[];
  /** The key of each suggestion (what a client sends back to pick it). */
  suggestionKeys?: readonly string[];
}

/** The error answers sent, by reply: the request's log line says why it failed (a POST's URL holds no parameters). */
const ERROR_ANSWERS = new WeakMap<FastifyReply, ErrorBody>();

/** Sends an error answer (JSON), kept for the request's log line. */
export function fail(reply: FastifyReply, status: number, error: string, message: string, suggestions?: readonly string[], suggestionKeys?: readonly string[]): FastifyReply {
  const body: ErrorBody = { error, message };
  if (suggestions && suggestions.length > 0) body.suggestions = suggestions;
  if (suggestions && suggestions.length > 0 && suggestionKeys?.length === suggestions.length) body.suggestionKeys = suggestionKeys;
  ERROR_ANSWERS.set(reply, body);
  return reply.code(status).send(body);
}

/** Keeps why a request failed for its log line when the answer is not JSON (the explorer's page without its files). */
export function noteFailure(reply: FastifyReply, error: string, message: string): void {
  ERROR_ANSWERS.set(reply, { error, message });
}

/** Why the request of `reply` failed, if it did (for its log line). */
export function failureOf(reply: FastifyReply): ErrorBody | undefined {
  return ERROR_ANSWERS.get(reply);
}
