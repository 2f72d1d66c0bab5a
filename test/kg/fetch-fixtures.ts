// Test fixtures for fetching: an HTTP server on 127.0.0.1 that serves given bytes and can misbehave (404,
// truncated body, no response, a stalled body), tar.gz archives made in memory, and a mirror of the real
// WN18RR sources rebuilt from a local copy of the dataset (same paths, same bytes after assembly).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { create } from 'tar';
import { CONVE_COMMIT, NAMES_COMMIT } from '../../src/kg/dataset-recipes.js';
import { tempDir } from './helpers.js';

/** How the server answers one path: 200 with `body`, optionally cut short, stalled or delayed; or another status. */
export interface Route {
  body?: Buffer;
  status?: number;
  /** Send Content-Length of the whole body, then only this many bytes, then close the connection. */
  truncateAt?: number;
  /** Send this many bytes and then nothing more (the connection stays open). */
  stallAfter?: number;
  /** Wait this long before answering at all. */
  delayMs?: number;
}

/** A running test server: its base URL, the routes it serves (path without leading slash) and the paths asked for. */
export interface TestServer {
  url: string;
  routes: Map<string, Route>;
  hits: string[];
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 (a free port), closed after the test file. */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const hits: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const { url, close } = await startRawServer((request, response) => {
    const route = routeOf(request);
    hits.push(route);
    const answer = routes.get(route);
    const send = (): void => {
      if (!answer || answer.status !== undefined) {
        const status = answer?.status ?? 404;
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(`status ${status}\n`);
        return;
      }
      const body = answer.body ?? Buffer.alloc(0);
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      if (answer.truncateAt !== undefined) response.write(body.subarray(0, answer.truncateAt), () => request.socket.destroy());
      else if (answer.stallAfter !== undefined) response.write(body.subarray(0, answer.stallAfter));
      else response.end(body);
    };
    if (answer?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, answer.delayMs);
      timers.add(timer);
    } else send();
  }, undefined, () => {
    for (const timer of timers) clearTimeout(timer);
  });
  return { url, routes, hits, close };
}

/** A running raw server: its base URL. */
export interface RawServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP(S) server on 127.0.0.1 (a free port) answering with `handler`; closed (after `onClose`) after the test file. */
export async function startRawServer(handler: http.RequestListener, create: (h: http.RequestListener) => http.Server = (h) => http.createServer(h), onClose?: () => void): Promise<RawServer> {
  const server = create(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    onClose?.();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  afterAll(close);
  const scheme = server instanceof http.Server && !('setSecureContext' in server) ? 'http' : 'https';
  return { url: `${scheme}://127.0.0.1:${port}`, port, close };
}

/** The path of a request, without the leading slash or the query. */
export function routeOf(request: http.IncomingMessage): string {
  return decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/+/, ''));
}

/** A gzipped tar archive holding `files` (name → content), made with node-tar. */
export async function tarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const dir = tempDir('kgdistill-tar-');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const chunks: Buffer[] = [];
  const stream = create({ gzip: true, cwd: dir, portable: true }, Object.keys(files));
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Remote paths of the real recipes (as below the default base URL). */
export const REMOTE = {
  wnArchive: `TimDettmers/ConvE/${CONVE_COMMIT}/WN18RR.tar.gz`,
  wnNames: (split: string) => `villmow/datasets_knowledge_embedding/${NAMES_COMMIT}/WN18RR/text/${split}.txt`,
  fbArchive: `TimDettmers/ConvE/${CONVE_COMMIT}/FB15k-237.tar.gz`,
  fbLabels: `villmow/datasets_knowledge_embedding/${NAMES_COMMIT}/FB15k-237/entity2wikidata.json`,
};

/** `id<TAB>name` lines into a map. */
export function readNames(file: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) names.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return names;
}

/** The WN18RR sources (ConvE archive, villmow text files) rebuilt from a local copy `dir` of the dataset. */
export async function wn18rrMirror(dir: string): Promise<Map<string, Buffer>> {
  const splits = ['train', 'valid', 'test'] as const;
  const names = readNames(path.join(dir, 'entity_names.tsv'));
  const files = Object.fromEntries(splits.map((split) => [`${split}.txt`, fs.readFileSync(path.join(dir, `${split}.txt`))]));
  const mirror = new Map<string, Buffer>([[REMOTE.wnArchive, await tarGz(files)]]);
  for (const split of splits) {
    const lines = files[`${split}.txt`]!.toString('utf8').split('\n').filter((line) => line !== '');
    const text = lines.map((line) => {
      const [head, relation, tail] = line.split('\t');
      return `${names.get(head!)}\t${relation}\t${names.get(tail!)}\n`;
    });
    mirror.set(REMOTE.wnNames(split), Buffer.from(text.join('')));
  }
  return mirror;
}
