import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '../../src/core/backend.js';
import type { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { MAX_PROJECTED } from '../../src/lookup/projection.js';
import { buildServer, ServedModels } from '../../src/serve/server.js';
import { vocabularyDifference } from '../../src/serve/teacher-comparison.js';
import { addModel, buildExplorer, trainRuns } from '../explorer/fixture.js';
import { ranksFromList, tempDir } from '../lookup/helpers.js';

type Json = Record<string, any>;
const tmp = tempDir('explorer-routes');
let runs: Awaited<ReturnType<typeof trainRuns>>;
let assets: string;
let app: FastifyInstance;
const lookups = new Map<string, CheckpointLookup>();

beforeAll(async () => {
  await initBackend('wasm');
  runs = await trainRuns(tmp);
  assets = buildExplorer(path.join(tmp, 'assets'));
  const models = new ServedModels(['roth', 'distmult', 'student']);
  for (const dir of [runs.roth, runs.distmult, runs.student]) lookups.set(path.basename(dir), await addModel(models, dir));
  app = buildServer(models, { explorer: { assetsDir: assets } });
});

afterAll(async () => {
  await app?.close();
  for (const l of lookups.values()) l.close();
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** Serves the run `dir` alone (its directory name is its model name), with the explorer; `use` gets the app, and both are closed after. */
async function servedAlone(dir: string, use: (served: FastifyInstance) => Promise<void>): Promise<void> {
  const models = new ServedModels([path.basename(dir)]);
  const lookup = await addModel(models, dir);
  const served = buildServer(models, { explorer: { assetsDir: assets } });
  try {
    await use(served);
  } finally {
    await served.close();
    lookup.close();
  }
}

describe('explorer routes: run facts, suggestions, projection', () => {
  it('a student\'s run: test metrics of result.json, curves of metrics.jsonl, its teachers and settings', async () => {
    const run = (await get('/models/student/run')).json() as Json;
    const result = JSON.parse(readFileSync(path.join(runs.student, 'result.json'), 'utf8')) as Json;
    expect(run.command).toBe('distill');
    expect(run.test.mrr).toBe(result.mrr);
    expect(run.test.mrr).toBeGreaterThan(0.3);
    expect(run.curves.map((c: Json) => c.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(run.curves.filter((c: Json) => c.validMrr !== undefined).map((c: Json) => c.epoch)).toEqual([10, 20, 30]);
    expect(run.teachers).toEqual([{ name: 'roth', found: true }, { name: 'distmult', found: true }]);
    expect(run.settings).toMatchObject({ student: 'RotH', topK: 32, kdWeight: 0.05 });
    expect(JSON.stringify(run)).not.toContain(tmp);
    const plain = (await get('/models/roth/run')).json() as Json;
    expect(plain).toMatchObject({ command: 'train', teachers: [] });
  });

  it('a run\'s notes name no directory of the server: the eval command of a skipped test, an unreadable metrics.jsonl', async () => {
    const dir = path.join(tmp, 'skipped');
    cpSync(runs.roth, dir, { recursive: true });
    const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Json;
    writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ format: result.format, version: result.version, bestEpoch: result.bestEpoch, testSkipped: { reason: 'skipped (--no-test-eval)', evalCommand: `kgdistill eval --checkpoint ${dir}` } }));
    writeFileSync(path.join(dir, 'metrics.jsonl'), `damaged\n${readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')}`); // an error naming its path
    await servedAlone(dir, async (served) => {
      const run = (await served.inject({ method: 'GET', url: '/models/skipped/run' })).json() as Json;
      expect(run.testSkipped).toEqual({ reason: 'skipped (--no-test-eval)', evalCommand: 'kgdistill eval --checkpoint …/skipped' });
      expect(run.curvesNote).toBe('no curves: …/skipped/metrics.jsonl:1: not a JSON record (the file was edited or damaged)');
      expect(JSON.stringify(run)).not.toContain(tmp);
    });
  });

  it('suggestions as one types: the resolver\'s match first, then prefix and edit-distance matches', async () => {
    const exact = (await get('/models/roth/suggest?q=node%201&k=4')).json() as Json;
    expect(exact.exact).toBe(true);
    expect(exact.suggestions.map((s: Json) => s.key)).toEqual(['e1', 'e10', 'e11', 'e12']);
    const typo = (await get('/models/roth/suggest?q=zurich')).json() as Json;
    expect(typo.exact).toBe(false);
    expect(typo.suggestions[0]).toMatchObject({ key: 'e3', name: 'Zürich' });
    const none = (await get('/models/roth/suggest?q=qqqqqqqqqqqq')).json() as Json;
    expect(none.suggestions).toEqual([]);
  });

  it('rejects bad suggestion requests with a message naming the parameter', async () => {
    for (const [url, message] of [
      ['/models/roth/suggest', 'q is required'],
      ['/models/roth/suggest?q=a&k=99', 'k must be an integer from 1 to 20'],
      ['/models/roth/suggest?q=a&k=1e2', 'k must be an integer from 1 to 20'],
      ['/models/roth/suggest?q=a&x=1', "unknown parameter 'x'"],
      ['/models/nope/suggest?q=a', "unknown model 'nope'"],
    ] as const) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(url.includes('nope') ? 404 : 400);
      expect((response.json() as Json).message).toContain(message);
    }
  });

  it('projection: the query at the centre and each neighbour inside the disk at its distance from the neighbours route', async () => {
    const neighbors = (await get('/models/roth/neighbors?entity=e12&k=8')).json() as Json;
    const ids = neighbors.neighbors.map((n: Json) => n.id);
    const response = await post('/models/roth/projection', { entity: 'node 12', ids });
    expect(response.statusCode).toBe(200);
    const picture = response.json() as Json;
    expect(picture).toMatchObject({ geometry: 'poincare-disk', metric: 'poincare', entity: { key: 'e12', name: 'node 12' } });
    expect(picture.points[0]).toMatchObject({ key: 'e12', x: 0, y: 0, distance: 0 });
    expect(picture.points).toHaveLength(9);
    for (const n of neighbors.neighbors) {
      const p = picture.points.find((q: Json) => q.id === n.id);
      expect(Math.hypot(p.x, p.y)).toBeLessThan(1);
      expect(p.distance).toBeCloseTo(n.distance, 3); // float64 projection vs the kernel's float32 distance
      expect(2 * Math.atanh(Math.hypot(p.x, p.y))).toBeCloseTo(p.distance, 6);
    }
    const plane = (await post('/models/distmult/projection', { entity: 'e12', ids: [1, 2, 3] })).json() as Json;
    expect(plane.geometry).toBe('plane');
    expect(plane.method).toContain('true Euclidean distance');
  });

  it('rejects bad projection requests', async () => {
    for (const [body, message, status] of [
      [{ entity: 'e1', ids: [10_000] }, 'ids: entity id 10000 is outside [0, 240)', 400],
      [{ entity: 'e1', ids: 'all' }, 'ids must be a list of entity ids', 400],
      [{ entity: 'e1', ids: [3, -1] }, 'ids must be a list of entity ids (integers ≥ 0), got -1', 400], // each element's problem names the field
      [{ entity: 'e1', ids: [1.5] }, 'ids must be a list of entity ids (integers ≥ 0), got 1.5', 400],
      [{ entity: 'e1', ids: ['1'] }, "ids must be a list of entity ids (integers ≥ 0), got '1'", 400],
      [{ entity: 'e1', ids: Array.from({ length: MAX_PROJECTED + 1 }, (_, i) => i) }, `at most ${MAX_PROJECTED}`, 400],
      [{ entity: 'e1' }, 'ids is required', 400],
      [{ entity: 'nobody', ids: [] }, "unknown entity 'nobody'", 404],
    ] as const) {
      const response = await post('/models/roth/projection', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 60)).toBe(status);
      expect((response.json() as Json).message).toContain(message);
    }
  });
});

describe('explorer routes: a student beside its teachers', () => {
  it('each model\'s answers and the gold answer\'s filtered rank, as each model alone gives them', async () => {
    const response = await get('/models/student/compare?head=node%2012&relation=parent&k=5');
    expect(response.statusCode).toBe(200);
    const result = response.json() as Json;
    expect(result).toMatchObject({ direction: 'tails', given: { key: 'e12' }, relation: { key: 'parent' } });
    const student = lookups.get('student')!;
    const known = student.known!.answers(student.entities.resolve('e12'), student.relations.resolve('parent'));
    expect(result.gold.id).toBe(known[0]); // no gold given: the query's first known answer
    expect(result.models.map((m: Json) => [m.name, m.role, m.status])).toEqual([['student', 'student', 'ready'], ['roth', 'teacher', 'ready'], ['distmult', 'teacher', 'ready']]);
    for (const m of result.models) {
      const lookup = lookups.get(m.name)!;
      const alone = await lookup.predict({ head: 'e12', relation: 'parent', k: 5 });
      expect(m.answers).toEqual(alone.answers);
      const score = await lookup.score('e12', 'parent', result.gold.key);
      expect(m.gold.filtered).toBe(score.rank.filtered);
      expect(m.gold.raw).toBe(score.rank.raw);
      expect(m.gold.score).toBeCloseTo(score.score, 5);
    }
  });

  it('heads, a given gold answer, and the bad requests', async () => {
    const heads = (await get('/models/student/compare?tail=e4&relation=parent&gold=e13')).json() as Json;
    expect(heads.direction).toBe('heads');
    expect(heads.gold.key).toBe('e13');
    const all = await lookups.get('student')!.predict({ tail: 'e4', relation: 'parent', k: 240, filtered: false }); // every entity
    expect(heads.models[0].gold).toMatchObject(ranksFromList(all.answers, 'e13')); // counted from the full list of heads
    for (const [url, status, message] of [
      ['/models/roth/compare?head=e1&relation=parent', 400, 'not a distilled student'],
      ['/models/student/compare?head=e1&tail=e2&relation=parent', 400, 'exactly one of head'],
      ['/models/student/compare?head=nobody&relation=parent', 404, "unknown entity 'nobody'"],
      ['/models/student/compare?head=e1&relation=parent&k=51', 400, 'k must be an integer from 1 to 50'],
    ] as const) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(status);
      expect((response.json() as Json).message).toContain(message);
    }
  });

  it('a teacher that cannot be found is reported for that teacher only', async () => {
    const moved = path.join(tmp, 'elsewhere', 'student-copy');
    cpSync(runs.student, moved, { recursive: true });
    for (const file of ['result.json', 'config.json']) {
      const f = path.join(moved, file);
      writeFileSync(f, readFileSync(f, 'utf8').split(runs.roth).join('/nowhere/lost-teacher'));
    }
    await servedAlone(moved, async (other) => {
      const result = (await other.inject({ method: 'GET', url: '/models/student-copy/compare?head=e12&relation=parent' })).json() as Json;
      expect(result.models.map((m: Json) => [m.name, m.status])).toEqual([['student-copy', 'ready'], ['lost-teacher', 'missing'], ['distmult', 'ready']]);
      expect(result.models[1].message).toContain("teacher run 'lost-teacher' was not found");
    });
  });

  it('a teacher whose checkpoint changed since the distillation (teachers.json) is shown with a warning, the others without', async () => {
    const student = path.join(tmp, 'changed', 'student-changed');
    cpSync(runs.student, student, { recursive: true });
    const recordFile = path.join(student, 'teachers.json');
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { teachers: { dir: string; sha256: string }[] };
    expect(record.teachers.map((t) => path.basename(t.dir))).toEqual(['roth', 'distmult']);
    const learnt = record.teachers[0]!.sha256;
    record.teachers[0]!.sha256 = 'a'.repeat(64); // as if roth had been retrained after the student learnt from it
    writeFileSync(recordFile, JSON.stringify(record));
    await servedAlone(student, async (other) => {
      const result = (await other.inject({ method: 'GET', url: '/models/student-changed/compare?head=e12&relation=parent' })).json() as Json;
      expect(result.models.map((m: Json) => [m.name, m.status])).toEqual([['student-changed', 'ready'], ['roth', 'ready'], ['distmult', 'ready']]);
      expect(result.models[1].message).toBe(`teacher 'roth' changed since the student learnt from it (its checkpoint had SHA-256 ${'a'.repeat(12)}…, it is now ${learnt.slice(0, 12)}…)`);
      expect(result.models[2].message).toBeUndefined();
    });
  });
});

describe('a teacher with another vocabulary', () => {
  const lookupOf = (entities: string[], relations: string[]) => ({ header: { vocab: { entities, relations } } }) as unknown as CheckpointLookup;
  it('is told apart by its lists, not by their lengths: the same count in another order is another vocabulary', () => {
    const student = lookupOf(['a', 'b', 'c'], ['r', 's']);
    expect(vocabularyDifference(student, lookupOf(['a', 'b', 'c'], ['r', 's']))).toBeNull();
    expect(vocabularyDifference(student, lookupOf(['a', 'c', 'b'], ['r', 's']))).toBe("entity 1 is 'b' in the student, 'c' in the teacher");
    expect(vocabularyDifference(student, lookupOf(['a', 'b', 'c'], ['r']))).toBe('2 relations against its 1');
    expect(vocabularyDifference(student, lookupOf(['a', 'b', 'c'], ['s', 'r']))).toBe("relation 0 is 'r' in the student, 's' in the teacher");
    expect(vocabularyDifference(student, lookupOf(['a', 'b'], ['r', 's']))).toBe('3 entities against its 2');
  });
});

describe('explorer routes: the page\'s files, a loading server, an API key', () => {
  it('serves the page and its files with a same-origin CSP and cross-origin isolation', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script src="/explorer/app.js">');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
    for (const [file, type] of [['app.js', 'text/javascript'], ['worker.js', 'text/javascript'], ['app.css', 'text/css'], ['kernels.wasm', 'application/wasm'], ['tfjs-backend-wasm-simd.wasm', 'application/wasm']] as const) {
      const response = await get(`/explorer/${file}`);
      expect(response.statusCode, file).toBe(200);
      expect(response.headers['content-type']).toContain(type);
    }
    expect((await get('/explorer/nothing.js')).statusCode).toBe(404);
    expect((await get('/explorer/..%2Fpackage.json')).statusCode).toBe(404);
  });

  it('sends the files gzipped to a client that takes it, with an entity tag that a revalidation answers with 304', async () => {
    const plain = await get('/explorer/app.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    const etag = String(plain.headers.etag);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const zipped = await get('/explorer/app.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.etag).toBe(`${etag.slice(0, -1)}-gz"`);
    expect(zipped.rawPayload.length).toBeLessThan(0.5 * plain.rawPayload.length);
    expect(gunzipSync(zipped.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect((await get('/explorer/app.js', { 'accept-encoding': 'gzip;q=0, *' })).headers['content-encoding']).toBeUndefined();
    // the page's copy is still this one: 304, no body, the security headers kept
    const again = await get('/explorer/app.js', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect((await get('/explorer/app.js', { 'if-none-match': '"another"' })).statusCode).toBe(200);
    expect((await get('/', { 'if-none-match': String((await get('/')).headers.etag) })).statusCode).toBe(304);
  });

  it('a build without the explorer says how to build it', async () => {
    const bare = buildServer([], { explorer: { assetsDir: path.join(tmp, 'no-such-dir') } });
    const response = await bare.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:explorer');
    await bare.close();
  });

  it('a model still loading is a 503 saying so (the page waits and says it is loading)', async () => {
    const loading = buildServer(new ServedModels(['big']), { explorer: { assetsDir: assets } });
    for (const url of ['/models/big/run', '/models/big/suggest?q=a']) {
      const response = await loading.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect((response.json() as Json).message).toContain("model 'big' is still loading");
    }
    expect(((await loading.inject({ method: 'GET', url: '/models' })).json() as Json).loading).toEqual(['big']);
    await loading.close();
  });

  it('with an API key, the page and its files are open and the data needs the key', async () => {
    const key = 'k'.repeat(24);
    const keyed = buildServer([...lookups.values()], { apiKey: key, explorer: { assetsDir: assets } });
    try {
      for (const url of ['/', '/explorer/app.js', '/explorer/worker.js']) expect((await keyed.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      for (const url of ['/models', '/models/roth/run', '/models/roth/suggest?q=e1']) {
        expect((await keyed.inject({ method: 'GET', url })).statusCode, url).toBe(401);
        expect((await keyed.inject({ method: 'GET', url, headers: { 'x-api-key': key } })).statusCode, url).toBe(200);
      }
    } finally {
      await keyed.close();
    }
  });
});
