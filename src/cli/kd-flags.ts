/**
 * The parsing of `kgdistill kd`'s own flags: the repeatable `--param key=value`
 * hyper-parameters (JSON values when they parse, else strings; dotted keys nest). A malformed pair is an
 * OptionsError under the key `params` (a usage error, exit 2).
 */
import { OptionsError, refusedOption } from '../pipeline/options-error.js';

/** Keys that would reach an object's prototype instead of a parameter. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The refusal of one `--param` pair (`params`: the options' key of --param). */
const refused = (message: string, pair: string): OptionsError => refusedOption(message, 'params', pair);

/** Parses `key=value` pairs into a parameter object (values as JSON when possible; `a.b=1` → { a: { b: 1 } }). */
export function parseParamPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw refused(`--param expects key=value (got '${pair}')`, pair);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string
    }
    const parts = key.split('.');
    const unsafe = parts.find((part) => UNSAFE_KEYS.has(part) || part === '');
    if (unsafe !== undefined) throw refused(`--param ${key}: '${unsafe}' is not a parameter name (see --list for the method's parameters)`, pair);
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || next === null) throw refused(`--param ${key}: '${part}' is already set to a value`, pair);
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return out;
}
