// Splitting a query program into the part that depends only on some of its inputs ("group" inputs, e.g. the
// relation tables) and the rest, so that the first part can run once per group row and be shared by many queries
// (with KGEmb's --double_neg every negative query repeats its positive's relation: RotH's softplus(c₀), exp₀(r₁)
// and exp₀(r₂) then run on B rows instead of B·(1 + N)).
//
// The outer program holds every op whose arguments are all group buffers; its outputs are the "boundary": the
// group buffers that the inner program reads (or that are outputs of the whole program). The inner program reads
// the non-group inputs and the boundary buffers (as inputs of the same names) and has the original outputs.
// Names reassigned in the original are renamed apart first (`a`, `a'1`, …), so both parts are single-assignment.
import type { QueryOp, QueryOutputs, QueryProgram, RowProgram } from './query-program.js';

/** The two parts of a split program. */
export interface SplitProgram {
  /** Ops on group inputs only; outputs: one per boundary buffer, keyed by its name. */
  readonly outer: RowProgram;
  /** The remaining ops; inputs: the non-group inputs and the boundary buffers; outputs: q, c, offset. */
  readonly inner: RowProgram;
  /** The boundary buffers: outer outputs, inner inputs. */
  readonly boundary: readonly string[];
}

/** Renames reassigned names apart (single assignment): a definition never reuses an input's or earlier name. */
function singleAssignment(program: QueryProgram): { ops: QueryOp[]; outputs: QueryOutputs } {
  const current = new Map<string, string>();
  const taken = new Set<string>();
  const ops = program.ops.map((op) => {
    const args = op.args.map((a) => {
      const renamed = current.get(a);
      if (renamed !== undefined) return renamed;
      taken.add(a); // an input
      return a;
    });
    let out = op.out;
    for (let k = 1; taken.has(out); k++) out = `${op.out}'${k}`;
    taken.add(out);
    current.set(op.out, out);
    return { out, op: op.op, args };
  });
  const resolve = (name: string | undefined): string | undefined => (name === undefined ? undefined : current.get(name) ?? name);
  return { ops, outputs: { q: resolve(program.outputs.q)!, c: resolve(program.outputs.c), offset: resolve(program.outputs.offset) } };
}

/** Splits `program` into the ops on `groupInputs` only (outer) and the rest (inner). */
export function splitQueryProgram(program: QueryProgram, groupInputs: ReadonlySet<string>): SplitProgram {
  const { ops, outputs } = singleAssignment(program);
  const group = new Set(groupInputs);
  const outerOps: QueryOp[] = [];
  const innerOps: QueryOp[] = [];
  for (const op of ops) {
    if (op.args.every((a) => group.has(a))) {
      outerOps.push(op);
      group.add(op.out);
    } else {
      innerOps.push(op);
    }
  }
  const boundary = new Set<string>();
  for (const op of innerOps) for (const a of op.args) if (group.has(a)) boundary.add(a);
  for (const name of Object.values(outputs)) if (name !== undefined && group.has(name)) boundary.add(name);
  const names = [...boundary];
  const width = program.logicalWidth !== undefined ? { logicalWidth: program.logicalWidth } : {}; // both parts keep it
  return {
    outer: { ops: outerOps, outputs: Object.fromEntries(names.map((n) => [n, n])), ...width },
    inner: { ops: innerOps, outputs, ...width },
    boundary: names,
  };
}
