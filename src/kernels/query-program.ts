// Fused query programs: a model's query side q = f(head rows, relation rows) written as a short list of kernel
// primitives over named row buffers, and an executor that runs it forward and backward (reverse-mode, with the
// primitives' hand-written VJPs) entirely in kernel memory.
//
// A program reads the gathered rows of the model's `queryTables` (by table name; width d or 1) and names its
// outputs q (width d), and optionally c (curvature, width 1) and offset (width 1). Statements are
// `out = op(arg, …)`; a name may be reassigned (each assignment is a new buffer). RotH, for example:
//   c0 = softplus(curvature); c = clampCurvature(c0); h = expmap0(entity, c); t1 = expmap0(translation1, c);
//   a = mobiusAdd(h, t1, c); a = project(a, c); b = givensRotation(rotation, a); t2 = expmap0(translation2, c);
//   q0 = mobiusAdd(b, t2, c); q = project(q0, c)   with outputs { q: 'q', c: 'c', offset: 'headBias' }.
import type { F32Block } from './kernel-memory.js';
import type { Kernels, KernelExports } from './kernels.js';
import { AUX_WIDTH } from './fused-kernels.js';

/** The primitives a query program may use (src/kernels/assembly/ball-rows.ts, givens-rows.ts, elementwise.ts). */
export type QueryOpName = 'softplus' | 'clampCurvature' | 'expmap0' | 'mobiusAdd' | 'project' | 'givensRotation'
  | 'givensReflection' | 'attention' | 'add' | 'mul' | 'complexMul' | 'phasor';

/** One statement `out = op(args…)`. */
export interface QueryOp {
  readonly out: string;
  readonly op: QueryOpName;
  readonly args: readonly string[];
}

/** Which buffers are the query's outputs: q, and optionally the curvature c and the offset (head bias). */
export type QueryOutputs = {
  readonly q: string;
  readonly c?: string;
  readonly offset?: string;
};

/** A query computation over named row buffers (`logicalWidth`: see RowProgram). */
export interface QueryProgram {
  readonly ops: readonly QueryOp[];
  readonly outputs: QueryOutputs;
  readonly logicalWidth?: number;
}

/** Any list of ops with named outputs (a QueryProgram, or a part of one: see query-program-split.ts). */
export interface RowProgram {
  readonly ops: readonly QueryOp[];
  readonly outputs: Readonly<Record<string, string | undefined>>;
  /**
   * The width the program's width-dependent constants are defined at (attention's temperature 1/√w) when its rows
   * are wider, ending in zero columns stored only for the kernels (core/table-padding.ts); absent: the rows' width.
   */
  readonly logicalWidth?: number;
}

/** Per op: argument kinds ('d' = a wide row, 'c' = a curvature of width 1, 'any' = the op's own width) and aux floats. */
const SIGNATURES: Record<QueryOpName, { args: ('d' | 'c' | 'any')[]; aux: number; widens?: true }> = {
  softplus: { args: ['any'], aux: 0 },
  clampCurvature: { args: ['any'], aux: 0 }, // [MIN_CURVATURE, MAX_CURVATURE], as the tfjs query's curvatureOf
  expmap0: { args: ['d', 'c'], aux: AUX_WIDTH.expmap0 },
  mobiusAdd: { args: ['d', 'd', 'c'], aux: AUX_WIDTH.mobiusAdd },
  project: { args: ['d', 'c'], aux: AUX_WIDTH.project },
  givensRotation: { args: ['d', 'd'], aux: 0 },
  givensReflection: { args: ['d', 'd'], aux: 0 },
  attention: { args: ['d', 'd', 'd'], aux: AUX_WIDTH.attention },
  add: { args: ['any', 'any'], aux: 0 },
  mul: { args: ['any', 'any'], aux: 0 },
  complexMul: { args: ['d', 'd'], aux: 0 },
  phasor: { args: ['any'], aux: 0, widens: true }, // w phases → [cos | sin], width 2w
};

const STATEMENT = /^\s*([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)\s*\(\s*([^)]*)\)\s*;?\s*$/;

/** Builds a program from statements `out = op(arg, …)` and its outputs; throws on unknown ops or bad arity. */
export function queryProgram(statements: readonly string[], outputs: QueryOutputs): QueryProgram {
  const ops = statements.map((text): QueryOp => {
    const m = STATEMENT.exec(text);
    if (!m) throw new Error(`query program: cannot parse '${text}' (expected 'out = op(arg, …)')`);
    const op = m[2] as QueryOpName;
    if (!(op in SIGNATURES)) throw new Error(`query program: unknown op '${op}' in '${text}'`);
    const args = m[3]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (args.length !== SIGNATURES[op].args.length) {
      throw new Error(`query program: ${op} takes ${SIGNATURES[op].args.length} arguments, got ${args.length} in '${text}'`);
    }
    return { out: m[1]!, op, args };
  });
  return { ops, outputs };
}

/** A buffer of the compiled program: its rows' width, value and gradient blocks (and the op that writes it). */
interface Buffer {
  readonly name: string;
  readonly width: number;
  value?: F32Block;
  grad?: F32Block;
}

interface Step {
  readonly op: QueryOpName;
  readonly out: Buffer;
  readonly args: Buffer[];
  readonly width: number;
  aux?: F32Block;
}


/**
 * Runs a program on up to `capacity` rows at a time. Callers fill `input(name)` rows [0, n), call forward(n),
 * read `output(…)`, write the upstream gradients into `seed(…)`, call backward(n) and read `inputGrad(name)`.
 * All blocks live in the kernels' memory and are reused across calls (reallocated only when `reserve` grows).
 */
export class QueryExecutor {
  private readonly buffers: Buffer[] = [];
  private readonly inputs = new Map<string, Buffer>();
  private readonly steps: Step[] = [];
  private readonly outs = new Map<string, Buffer>();
  private readonly seeds = new Map<string, F32Block>();
  private readonly raw: KernelExports;
  private capacityRows = 0;
  private forwardCalls: ((n: number) => void)[] = [];
  private backwardCalls: ((n: number) => void)[] = [];

  /**
   * Compiles `program` for inputs of the given widths (d or 1; d % 4 == 0) and checks every statement; outputs c
   * and offset must have width 1.
   */
  constructor(private readonly kernels: Kernels, readonly program: RowProgram, inputWidths: Readonly<Record<string, number>>) {
    this.raw = kernels.raw;
    const current = new Map<string, Buffer>();
    for (const [name, width] of Object.entries(inputWidths)) {
      if (!(Number.isInteger(width) && width >= 1)) throw new Error(`query program: input '${name}' has width ${width}`);
      const buffer: Buffer = { name, width };
      this.buffers.push(buffer);
      this.inputs.set(name, buffer);
      current.set(name, buffer);
    }
    for (const op of program.ops) {
      const sig = SIGNATURES[op.op];
      const args = op.args.map((a) => {
        const b = current.get(a);
        if (!b) throw new Error(`query program: '${a}' is used before it is defined (in ${op.out} = ${op.op}(…))`);
        return b;
      });
      const wide = args.filter((_, i) => sig.args[i] !== 'c').map((b) => b.width);
      const width = wide[0]!;
      if (wide.some((w) => w !== width)) throw new Error(`query program: ${op.op} arguments of different widths (${wide.join(', ')})`);
      args.forEach((b, i) => {
        if (sig.args[i] === 'c' && b.width !== 1) throw new Error(`query program: ${op.op}'s curvature '${b.name}' must have width 1`);
        if (sig.args[i] === 'd' && b.width % 4 !== 0) {
          throw new Error(`query program: ${op.op} needs rows of a width divisible by 4, '${b.name}' has ${b.width}`);
        }
      });
      const out: Buffer = { name: op.out, width: sig.widens ? 2 * width : width };
      this.buffers.push(out);
      current.set(op.out, out);
      this.steps.push({ op: op.op, out, args, width });
    }
    for (const [key, name] of Object.entries(program.outputs)) {
      if (name === undefined) continue;
      const b = current.get(name);
      if (!b) throw new Error(`query program: output ${key} = '${name}' is not defined`);
      if ((key === 'c' || key === 'offset') && b.width !== 1) {
        throw new Error(`query program: output ${key} must have width 1, '${name}' has ${b.width}`);
      }
      this.outs.set(key, b);
    }
    if (this.outs.size === 0) throw new Error('query program: no outputs');
  }

  /** Rows the blocks hold now. */
  get capacity(): number {
    return this.capacityRows;
  }

  /** Width of output q (the candidate rows' dimension). */
  get queryWidth(): number {
    return this.outputWidth('q');
  }

  /** Row width of output `key`. */
  outputWidth(key: string): number {
    const b = this.outs.get(key);
    if (!b) throw new Error(`query program: no output ${key}`);
    return b.width;
  }

  /** Makes room for `rows` rows (allocating every block anew when the current capacity is smaller). */
  reserve(rows: number): void {
    if (rows <= this.capacityRows) return;
    const mem = this.kernels.memory;
    for (const b of this.buffers) {
      b.value = mem.allocF32(rows * b.width);
      b.grad = mem.allocF32(rows * b.width);
    }
    for (const s of this.steps) if (SIGNATURES[s.op].aux > 0) s.aux = mem.allocF32(rows * SIGNATURES[s.op].aux);
    for (const [key, b] of this.outs) this.seeds.set(key, mem.allocF32(rows * b.width));
    this.capacityRows = rows;
    this.bind();
  }

  /** The block the caller fills with input `name`'s gathered rows. */
  input(name: string): F32Block {
    return this.block(this.inputs.get(name), name).value!;
  }

  /** ∂L/∂(input rows) after backward. */
  inputGrad(name: string): F32Block {
    return this.block(this.inputs.get(name), name).grad!;
  }

  /** The block of output `which` (q, c, offset, …) after forward (undefined when the program has no such output). */
  output(which: string): F32Block | undefined {
    return this.outs.get(which)?.value;
  }

  /** The block the caller fills with ∂L/∂(output) before backward. */
  seed(which: string): F32Block | undefined {
    return this.seeds.get(which);
  }

  /** Runs the program on rows [0, n). */
  forward(n: number): void {
    this.checkRows(n);
    for (const call of this.forwardCalls) call(n);
  }

  /** Reverse pass on rows [0, n) from the seeds: every buffer's gradient is rebuilt, inputs' included. */
  backward(n: number): void {
    this.checkRows(n);
    for (const b of this.buffers) this.raw.zeroFloats(n * b.width, b.grad!.offset);
    for (const [key, b] of this.outs) this.raw.accumulate(n * b.width, this.seeds.get(key)!.offset, b.grad!.offset);
    for (let i = this.backwardCalls.length - 1; i >= 0; i--) this.backwardCalls[i]!(n);
  }

  /** Binds every step's kernel calls to the current blocks (unchecked exports: the blocks are ours and large enough). */
  private bind(): void {
    const ex = this.raw;
    this.forwardCalls = [];
    this.backwardCalls = [];
    for (const s of this.steps) {
      const o = s.out.value!.offset, g = s.out.grad!.offset, w = s.width, aux = s.aux?.offset ?? 0;
      const temperatureWidth = this.program.logicalWidth ?? w; // attention's 1/√w: the model's width, not the padded rows'
      const [a0 = 0, a1 = 0, a2 = 0] = s.args.map((b) => b.value!.offset);
      const [g0 = 0, g1 = 0, g2 = 0] = s.args.map((b) => b.grad!.offset);
      let fwd: (n: number) => void, bwd: (n: number) => void;
      switch (s.op) {
        case 'softplus':
          fwd = (n) => ex.softplusForward(n * w, a0, o);
          bwd = (n) => ex.softplusBackward(n * w, a0, g, g0);
          break;
        case 'clampCurvature':
          fwd = (n) => ex.clampCurvatureForward(n * w, a0, o);
          bwd = (n) => ex.clampCurvatureBackward(n * w, a0, g, g0);
          break;
        case 'expmap0':
          fwd = (n) => ex.expmap0Forward(n, w, a0, a1, o, aux);
          bwd = (n) => ex.expmap0Backward(n, w, a0, a1, aux, g, g0, g1);
          break;
        case 'mobiusAdd':
          fwd = (n) => ex.mobiusAddForward(n, w, a0, a1, a2, o, aux);
          bwd = (n) => ex.mobiusAddBackward(n, w, a0, a1, a2, aux, g, g0, g1, g2);
          break;
        case 'project':
          fwd = (n) => ex.projectForward(n, w, a0, a1, o, aux);
          bwd = (n) => ex.projectBackward(n, w, a0, a1, aux, g, g0, g1);
          break;
        case 'givensRotation':
        case 'givensReflection': {
          const reflect = s.op === 'givensReflection' ? 1 : 0;
          fwd = (n) => ex.givensForward(reflect, n, w, a0, a1, o);
          bwd = (n) => ex.givensBackward(reflect, n, w, a0, a1, g, g0, g1);
          break;
        }
        case 'attention':
          fwd = (n) => ex.attentionForward(n, w, temperatureWidth, a0, a1, a2, o, aux);
          bwd = (n) => ex.attentionBackward(n, w, temperatureWidth, a0, a1, a2, aux, g, g0, g1, g2);
          break;
        case 'add':
          fwd = (n) => ex.addForward(n * w, a0, a1, o);
          bwd = (n) => {
            ex.accumulate(n * w, g, g0);
            ex.accumulate(n * w, g, g1);
          };
          break;
        case 'mul':
          fwd = (n) => ex.mulForward(n * w, a0, a1, o);
          bwd = (n) => ex.mulBackward(n * w, a0, a1, g, g0, g1);
          break;
        case 'complexMul':
          fwd = (n) => ex.complexMulForward(n, w, a0, a1, o);
          bwd = (n) => ex.complexMulBackward(n, w, a0, a1, g, g0, g1);
          break;
        case 'phasor': // w is the input's width (w phases per row)
          fwd = (n) => ex.phasorForward(n, w, a0, o);
          bwd = (n) => ex.phasorBackward(n, w, a0, g, g0);
          break;
      }
      this.forwardCalls.push(fwd);
      this.backwardCalls.push(bwd);
    }
  }

  private block(b: Buffer | undefined, name: string): Buffer {
    if (!b) throw new Error(`query program: '${name}' is not an input`);
    if (this.capacityRows === 0) throw new Error('query program: call reserve() first');
    return b;
  }

  private checkRows(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.capacityRows) {
      throw new RangeError(`query program: ${n} rows requested, capacity ${this.capacityRows}`);
    }
  }
}
