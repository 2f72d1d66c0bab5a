import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import type { ModelConfig } from '../../src/core/model.js';
import type { EntityTable } from '../../src/lookup/vector-space.js';

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `kgdistill-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Random entity rows: gaussian directions, norms spread over [0.1, scale], optional biases in [−1, 2). */
export function randomTable(count: number, dim: number, seed: string, scale = 2, withBias = false): EntityTable {
  const rng = seedrandom.alea(seed);
  const rows = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    let n2 = 0;
    for (let k = 0; k < dim; k++) {
      const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      rows[i * dim + k] = g;
      n2 += g * g;
    }
    const target = 0.1 + (scale - 0.1) * rng();
    for (let k = 0; k < dim; k++) rows[i * dim + k] = (rows[i * dim + k]! / Math.sqrt(n2)) * target;
  }
  const table: EntityTable = { rows, count, dim };
  if (withBias) table.tailBias = Float32Array.from({ length: count }, () => -1 + 3 * rng());
  return table;
}

/** A model config to fingerprint test tables with. */
export function testConfig(count: number, dim: number): ModelConfig {
  return { model: 'Test', dim, numEntities: count, numRelations: 1, options: {} };
}

/** One answer of a full, unfiltered prediction list (`predict` with k = every entity, filtered: false). */
interface ListedAnswer { key: string; score: number; known?: boolean }

/**
 * The raw and filtered rank of `key` counted from a full answer list, independently of ranks.ts: 1 + the answers
 * scored above it + half of those tied with it; filtered, only the answers not known (the gold itself is kept).
 */
export function ranksFromList(answers: readonly ListedAnswer[], key: string): { raw: number; filtered: number } {
  const gold = answers.find((a) => a.key === key);
  if (!gold) throw new Error(`${key} is not in the list of ${answers.length} answers`);
  const above = answers.filter((a) => a.score > gold.score);
  const tied = answers.filter((a) => a.score === gold.score && a.key !== key);
  const unknown = (list: ListedAnswer[]): number => list.filter((a) => !a.known).length;
  return { raw: 1 + above.length + tied.length / 2, filtered: 1 + unknown(above) + unknown(tied) / 2 };
}
