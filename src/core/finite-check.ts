/**
 * Guarding float32 numerics: a run must never save (or load) a non-finite value. `firstNonFinite` finds the first
 * NaN or ±Infinity of named arrays; `requireFinite` turns one into an error naming the array, row and value.
 */

/** The first non-finite entry of the arrays, by name and index; undefined when all are finite. */
export function firstNonFinite(arrays: Record<string, Float32Array>): { name: string; index: number; value: number } | undefined {
  for (const [name, values] of Object.entries(arrays)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) return { name, index: i, value: v }; // NaN and ±Infinity give NaN
    }
  }
  return undefined;
}

/** Throws `${what}: …` naming the first non-finite entry (its array and flat index) of the arrays. */
export function requireFinite(arrays: Record<string, Float32Array>, what: string): void {
  const bad = firstNonFinite(arrays);
  if (bad) throw new Error(`${what}: '${bad.name}' holds ${bad.value} at index ${bad.index}`);
}
