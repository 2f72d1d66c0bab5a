// Argument checks shared by the bounds-checked kernel wrappers (kernels.ts, fused-kernels.ts, dense-kernels.ts,
// top-k-kernels.ts): every pointer argument must be a block of the kernels' own memory, long enough, and outputs must
// not overlap inputs.
import { RESERVED_BYTES, type F32Block, type I32Block, type KernelMemory } from './kernel-memory.js';

/** A float32 or int32 block of kernel memory. */
export type Block = F32Block | I32Block;

/** Throws a RangeError prefixed with `kernels.`. */
export function fail(msg: string): never {
  throw new RangeError(`kernels.${msg}`);
}

/** Checks that x is an integer in [min, 2³¹). */
export function int(fn: string, name: string, x: number, min = 0): void {
  if (!Number.isInteger(x) || x < min || x > 0x7fffffff) fail(`${fn}: ${name} must be an integer ≥ ${min}, got ${x}`);
}

/** Checks that x is finite. */
export function real(fn: string, name: string, x: number): void {
  if (!Number.isFinite(x)) fail(`${fn}: ${name} must be a finite number, got ${x}`);
}

/** Checks a SimilarityKind id (kernels.ts): 0 dot … 3 negSqPoincare, 4 negL1, 5 negModulusL1. */
export function similarityKind(fn: string, kind: number): void {
  if (!(Number.isInteger(kind) && kind >= 0 && kind <= 5)) fail(`${fn}: unknown SimilarityKind ${kind}`);
}

/** Checks a ball's curvature: finite and > 0 (`index`, when given, names its query row in the message). */
export function curvature(fn: string, c: number, index?: number): void {
  if (!(c > 0 && c < Infinity)) fail(`${fn}: curvature ${index === undefined ? '' : `c[${index}] = `}${c} must be finite and > 0`);
}

/** Checks the first B curvatures of `c`, one per query row. */
export function curvatures(fn: string, c: ArrayLike<number>, B: number): void {
  for (let b = 0; b < B; b++) curvature(fn, c[b]!, b);
}

/** Checks a row width for f32x4 kernels: d ≥ 4 and d % 4 == 0. */
export function dim(fn: string, d: number): void {
  int(fn, 'd', d, 4);
  if (d % 4 !== 0) fail(`${fn}: d must be a multiple of 4 (f32x4 rows), got ${d}`);
}

/**
 * The query side of the one-pass scoring kernels (`denseScores`, `topKScores`): rows [B×d], ‖q‖² [B], curvature [B]
 * (Poincaré only, kind 3) and a per-row offset [B] (or null).
 */
export interface ScoreQueries {
  q: F32Block;
  x2: F32Block;
  c: F32Block | null;
  rowBias: F32Block | null;
}

/** True when two non-empty blocks share a byte. */
export function overlaps(a: Block, b: Block): boolean {
  return a.length > 0 && b.length > 0 && a.offset < b.offset + 4 * b.length && b.offset < a.offset + 4 * a.length;
}

/** Block checks against one kernel memory; `firstOutOfRange` is the kernel of the same name. */
export class BlockChecks {
  /** Binds the checks to a memory and its id-range kernel. */
  constructor(private readonly memory: KernelMemory,
    private readonly firstOutOfRange: (ids: number, n: number, limit: number) => number) {}

  /** Checks that b is a block of this memory with at least minLength elements. */
  block(fn: string, name: string, b: Block | null, minLength: number): void {
    if (b === null || b === undefined) fail(`${fn}: ${name} is missing`);
    if (!Number.isInteger(minLength) || b.length < minLength) {
      fail(`${fn}: ${name} has ${b.length} elements, needs ${minLength}`);
    }
    const bytes = this.memory.byteLength;
    if (b.offset < RESERVED_BYTES || b.offset % 4 !== 0 || b.offset + 4 * b.length > bytes) {
      fail(`${fn}: ${name} [${b.offset}, +${b.length}×4) is not a block of this kernel memory`);
    }
    if (b.array.buffer !== this.memory.memory.buffer) fail(`${fn}: ${name} belongs to another KernelMemory`);
  }

  /** Checks the B query rows of a one-pass scoring kernel of SimilarityKind `kind` (curvatures only for Poincaré, kind 3). */
  scoreQueries(fn: string, kind: number, queries: ScoreQueries, B: number, d: number): void {
    this.block(fn, 'q', queries.q, B * d);
    this.block(fn, 'x2', queries.x2, B);
    if (kind === 3) {
      this.block(fn, 'c', queries.c, B);
      curvatures(fn, queries.c!.array, B);
    }
    if (queries.rowBias) this.block(fn, 'rowBias', queries.rowBias, B);
  }

  /** Checks a table block of N×d floats and returns N. */
  table(fn: string, name: string, t: F32Block, d: number): number {
    this.block(fn, name, t, d);
    if (t.length % d !== 0) fail(`${fn}: ${name} length ${t.length} is not a multiple of d = ${d}`);
    return t.length / d;
  }

  /** Checks that ids[0..n) lie in [0, limit). */
  inRange(fn: string, name: string, ids: I32Block, n: number, limit: number): void {
    const bad = this.firstOutOfRange(ids.offset, n, limit);
    if (bad >= 0) fail(`${fn}: ${name}[${bad}] = ${ids.array[bad]} is outside [0, ${limit})`);
  }

  /** Checks that no output block overlaps an input block (or another output) of a different name. */
  disjoint(fn: string, outs: [string, Block | null][], ins: [string, Block | null][]): void {
    for (const [on, o] of outs) {
      for (const [inName, i] of ins) {
        if (o !== null && i !== null && on !== inName && overlaps(o, i)) fail(`${fn}: ${on} overlaps ${inName}`);
      }
    }
  }
}
