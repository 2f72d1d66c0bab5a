/**
 * A short fingerprint of a split's id triples, recorded in checkpoints so that evaluating or resuming a run can
 * tell that its dataset's files were changed since it trained (another split of the same graph has the same
 * vocabulary, so the vocabulary check alone passes and test triples the model trained on would be scored as new).
 *
 * `<count>:<16 hex digits>`: the number of triples and a 64-bit hash of their ids in file order (two 32-bit lanes
 * multiplied and cross-mixed as in cyrb53). It detects changes; it is no cryptographic digest, and it runs in the
 * browser's explorer as well as in Node.
 */
import { tripleCount, type Triples } from './types.js';

/** The fingerprint of a split's flat id triples: `<count>:<hash>`. */
export function tripleFingerprint(triples: Triples): string {
  let h1 = 0xdeadbeef ^ triples.length;
  let h2 = 0x41c6ce57 ^ triples.length;
  for (let i = 0; i < triples.length; i++) {
    const word = triples[i]!;
    h1 = Math.imul(h1 ^ word, 2654435761);
    h2 = Math.imul(h2 ^ word, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');
  return `${tripleCount(triples)}:${hex(h2)}${hex(h1)}`;
}

/** The triple count a fingerprint records (NaN for a malformed one). */
export function fingerprintCount(fingerprint: string): number {
  return Number(fingerprint.split(':')[0]);
}
