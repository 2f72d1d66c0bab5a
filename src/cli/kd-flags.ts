/**
 * The parsing of `kgdistill kd`'s own flags: `--seeds` (a count or a list) and the repeatable `--param key=value`
 * hyper-parameters (JSON values when they parse, else strings; dotted keys nest).
 */
import { exactInteger } from './integer-flag.js';

/** Parses `key=value` pairs into a parameter object (values as JSON when possible; `a.b=1` → { a: { b: 1 } }). */
export function parseParamPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--param expects key=value (got '${pair}')`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string
    }
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || next === null) throw new Error(`--param ${key}: '${part}' is already set to a value`);
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return out;
}

/** `--seeds 3` → [0, 1, 2]; `--seeds 4,7` → [4, 7]. */
export function parseSeeds(value: string): number[] {
  const text = value.trim();
  if (!text.includes(',')) {
    const count = exactInteger(text);
    if (count === undefined || count < 1) throw new Error(`--seeds must be a count ≥ 1 or a comma-separated list (got '${value}')`);
    return Array.from({ length: count }, (_, i) => i);
  }
  const seeds = text.split(',').map(exactInteger);
  if (seeds.some((s) => s === undefined || s < 0)) throw new Error(`--seeds: every seed must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} (got '${value}')`);
  return seeds as number[];
}
