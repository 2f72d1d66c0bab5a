/**
 * Malformed requests for the service, generated from a seed (test/serve/server.test.ts sends them in-process,
 * bench/service-faults.ts over the network): random bytes as bodies, random query strings and JSON values,
 * odd methods, paths, content types and authorisation headers, and number forms `k` must refuse.
 */
import seedrandom from 'seedrandom';

/** One generated request. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const ATOMS: unknown[] = [null, true, false, 0, -1, 1e308, -0.5, NaN, '', 'e1', 'parent', '東京', '\u0000', '\ud800', 'x'.repeat(300), [], {}, [null], { k: 5 }, 'true', '10'];
const KEYS = ['entity', 'k', 'head', 'tail', 'relation', 'exact', 'filtered', '__proto__', 'constructor', 'x'];
const K_FORMS = ['1e3', '0x10', '+5', '-1', '1.0', ' 5', '５', '1_000', 'Infinity', 'NaN', '', '9'.repeat(40), '0', '05', '1,2'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', ''];

const encode = (text: string): string => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** `count` malformed requests against the models `models` (seeded: the same list every time). */
export function fuzzRequests(models: readonly string[], count: number, seed = 'fuzz'): FuzzRequest[] {
  const rng = seedrandom.alea(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const randomValue = (depth = 0): unknown => {
    if (depth > 2 || rng() < 0.6) return pick(ATOMS);
    if (rng() < 0.5) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rng() * 4) }, () => [pick(KEYS), randomValue(depth + 1)]));
  };
  const route = (): string => `/models/${pick([...models, 'nope', '..', '%2e%2e'])}/${pick(['neighbors', 'predict'])}`;
  const json = { 'content-type': 'application/json' };
  const out: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    switch (i % 6) {
      case 0:
        out.push({ method: 'POST', url: route(), headers: json, body: Buffer.from(Array.from({ length: Math.floor(rng() * 200) }, () => Math.floor(rng() * 256))) });
        break;
      case 1: {
        const query = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => `${pick(KEYS)}=${encode(String(pick(ATOMS)))}`).join('&');
        out.push({ method: 'GET', url: `${route()}?${query}`, headers: {} });
        break;
      }
      case 2:
        out.push({ method: 'POST', url: route(), headers: json, body: JSON.stringify(randomValue()) ?? 'undefined' });
        break;
      case 3: {
        const path = pick(['/', '/models', `/models/${encode('Zürich 東京 🚀')}`, '/health/../metrics', '/%00', '/models/%E0%A4%A', `/${'a'.repeat(300)}`, '/models/x/neighbors/extra', '//models//x']);
        out.push({ method: pick(METHODS), url: path, headers: {} });
        break;
      }
      case 4:
        out.push({
          method: 'POST', url: route(),
          headers: { 'content-type': pick(CONTENT_TYPES), authorization: pick(['Bearer', 'Bearer ' + 'k'.repeat(200), 'Basic Zm9vOmJhcg==', '']), 'x-api-key': pick(['', 'wrong', '\u00ff']) },
          body: pick(['{"entity":"e1"}', 'entity=e1', '<entity>e1</entity>', '{"entity":', '{}']),
        });
        break;
      default:
        out.push({ method: 'GET', url: `${route()}?entity=e1&head=e1&relation=parent&k=${encode(pick(K_FORMS))}`, headers: {} });
    }
  }
  return out;
}
