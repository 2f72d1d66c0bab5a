// Whether this host can share the kernels' memory between threads, and the kernel module made to import an unshared
// memory where it cannot. The kernels are built with `--sharedMemory` (Node runs them on two threads: kernel-worker.ts);
// a web page that is not cross-origin isolated has no SharedArrayBuffer, but runs the kernels on one thread, where an
// unshared memory does the same work: its atomic instructions (the row counters of dense-scores.ts and
// dense-softmax.ts) are valid on an unshared memory. Clearing the shared bit of the memory import's limits changes
// one byte and no size, so the rest of the module is untouched.

/**
 * Whether a shared WebAssembly memory can be made and used here: SharedArrayBuffer exists and, where the host says,
 * it is cross-origin isolated (always in Node; in a page only under COOP: same-origin and COEP: require-corp).
 */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/** The limits flag's bit that marks a memory shared (the threads proposal); bit 0: a maximum follows; bit 2: memory64. */
const SHARED_FLAG = 0x02;
/** The import section's id, and an import's kinds. */
const IMPORT_SECTION = 2;
const KIND = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

/** Reads a wasm module's structure, failing with `source` named. */
class Reader {
  constructor(private readonly bytes: Uint8Array, private readonly source: string, public at = 0) {}

  /** Throws the error of a malformed module, saying what was wrong where. */
  fail(what: string): never {
    throw new Error(`kernels: ${this.source} is not a well-formed WebAssembly module (${what} at byte ${this.at}); give the URL of kgdistill's build/kernels.wasm`);
  }

  /** The next byte. */
  byte(what: string): number {
    if (this.at >= this.bytes.length) this.fail(`${what} runs past the end`);
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 of at most `maxBytes` bytes (5: u32, 10: u64; u64 values are skipped, not read exactly). */
  leb(what: string, maxBytes = 5): number {
    let value = 0;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte(what);
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    return this.fail(`${what} is a LEB128 longer than ${maxBytes} bytes`);
  }

  /** Moves past `n` bytes. */
  skip(n: number, what: string): void {
    if (this.at + n > this.bytes.length) this.fail(`${what} runs past the end`);
    this.at += n;
  }

  /** A value type: one byte, or (ref null? heaptype) of the GC proposal, whose heap type follows as a LEB128. */
  valueType(what: string): void {
    const type = this.byte(`${what}'s type`);
    if (type === 0x63 || type === 0x64) this.leb(`${what}'s heap type`);
  }

  /** Limits (of a table or memory): flags, minimum, maximum if flagged; returns where the flags byte is. */
  limits(what: string): number {
    const flagsAt = this.at;
    const flags = this.byte(`${what}'s limits`);
    if (flags > 0x07) this.fail(`${what}'s limits have the unknown flags 0x${flags.toString(16)}`);
    const width = flags & 0x04 ? 10 : 5;
    this.leb(`${what}'s minimum`, width);
    if (flags & 0x01) this.leb(`${what}'s maximum`, width);
    return flagsAt;
  }
}

/**
 * A copy of the wasm module `bytes` whose imported memories are unshared (the shared bit of their limits cleared);
 * `source` (the module's URL) names it in the error of a module that is malformed or imports no memory.
 */
export function unshareMemoryImport(bytes: Uint8Array, source: string): Uint8Array<ArrayBuffer> {
  const r = new Reader(bytes, source);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) r.fail('no \\0asm version 1 header');
  r.at = 8;
  while (r.at < bytes.length) {
    const id = r.byte('a section id');
    const size = r.leb('a section size');
    const end = r.at + size;
    if (end > bytes.length) r.fail(`section ${id} of ${size} bytes runs past the end`);
    if (id !== IMPORT_SECTION) {
      r.at = end;
      continue;
    }
    const out = bytes.slice();
    let memories = 0;
    const count = r.leb('the import count');
    for (let i = 0; i < count; i++) {
      r.skip(r.leb('an import module name'), 'an import module name');
      r.skip(r.leb('an import field name'), 'an import field name');
      const kind = r.byte('an import kind');
      if (kind === KIND.func) r.leb('an imported function type');
      else if (kind === KIND.table) {
        r.valueType('an imported table');
        r.limits('an imported table');
      } else if (kind === KIND.memory) {
        const flagsAt = r.limits('an imported memory');
        out[flagsAt] = bytes[flagsAt]! & ~SHARED_FLAG;
        memories++;
      } else if (kind === KIND.global) {
        r.valueType('an imported global');
        r.byte('an imported global\'s mutability');
      } else if (kind === KIND.tag) {
        r.byte('an imported tag attribute');
        r.leb('an imported tag type');
      } else {
        r.at--;
        r.fail(`import ${i} has the unknown kind ${kind}`);
      }
    }
    if (r.at !== end) r.fail(`the imports do not end where their section says, byte ${end}, but`);
    if (memories === 0) break;
    return out;
  }
  throw new Error(`kernels: ${source} imports no memory, so it is not kgdistill's kernels (they import theirs as env.memory); give the URL of kgdistill's build/kernels.wasm`);
}
