// The one WebAssembly.Memory shared by TypeScript (Float32Array/Int32Array views) and the AssemblyScript kernels,
// with a 16-byte-aligned bump allocator. Where the host allows it (Node; a cross-origin isolated page: see
// shared-memory.ts) the memory is shared (SharedArrayBuffer) so worker threads can run the kernels on the same tables:
// pass `kernelMemory.memory` to a worker and rebuild blocks there with f32At/i32At. Elsewhere (a page that is not
// isolated, one thread) it is unshared, and growing it detaches its old ArrayBuffer: a block's `array` is re-made
// then, so read a block's view again after anything that may allocate rather than keep it.
import { byteSizeText } from './byte-size.js';
import { sharedMemoryAvailable } from './shared-memory.js';

/** Bytes of one WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The first page is kept for the kernel module's static data (its heapBase() must not exceed this). */
export const RESERVED_BYTES = PAGE_BYTES;
/** The wasm32 limit, and the maximum the kernel module declares for its imported memory. */
export const MAX_PAGES = 65536;

/** A float32 region of kernel memory; `array` is a live view (re-created after the memory grows). */
export interface F32Block {
  readonly offset: number;
  readonly length: number;
  readonly array: Float32Array;
}

/** An int32 region of kernel memory; `array` is a live view (re-created after the memory grows). */
export interface I32Block {
  readonly offset: number;
  readonly length: number;
  readonly array: Int32Array;
}

/** Elements [start, start + length) of a float32 block, as a block of its own (same memory). */
export function subF32(block: F32Block, start: number, length: number): F32Block {
  if (start < 0 || start + length > block.length) throw new RangeError(`subF32: [${start}, +${length}) is outside a block of ${block.length}`);
  return { offset: block.offset + 4 * start, length, get array() { return block.array.subarray(start, start + length); } };
}

/** Elements [start, start + length) of an int32 block, as a block of its own (same memory). */
export function subI32(block: I32Block, start: number, length: number): I32Block {
  if (start < 0 || start + length > block.length) throw new RangeError(`subI32: [${start}, +${length}) is outside a block of ${block.length}`);
  return { offset: block.offset + 4 * start, length, get array() { return block.array.subarray(start, start + length); } };
}

/** Options of a KernelMemory. */
export interface KernelMemoryOptions {
  /** Bytes to reserve up front (rounded up to pages; default 1 MiB). */
  initialBytes?: number;
  /** Upper bound in pages (default and maximum 65536 = 4 GiB). */
  maximumPages?: number;
  /** Whether a memory made here is shared (default: sharedMemoryAvailable(), true in Node); the kernel module must import it alike. */
  shared?: boolean;
  /**
   * Adopt an existing shared memory (e.g. in a worker thread) instead of creating one. An adopted memory has no
   * allocator (allocF32/allocI32 throw: allocate on the owning thread); use f32At/i32At with offsets it sent.
   */
  memory?: WebAssembly.Memory;
}

class Block<T extends Float32Array | Int32Array> {
  private view: T | null = null;
  private viewBuffer: ArrayBufferLike | null = null;

  constructor(
    private readonly owner: KernelMemory,
    private readonly make: (buffer: ArrayBufferLike, offset: number, length: number) => T,
    readonly offset: number,
    readonly length: number,
  ) {}

  get array(): T {
    const buffer = this.owner.memory.buffer;
    if (this.view === null || this.viewBuffer !== buffer) {
      this.view = this.make(buffer, this.offset, this.length);
      this.viewBuffer = buffer;
    }
    return this.view;
  }
}

const makeF32 = (b: ArrayBufferLike, o: number, n: number): Float32Array => new Float32Array(b, o, n);
const makeI32 = (b: ArrayBufferLike, o: number, n: number): Int32Array => new Int32Array(b, o, n);

function isSharedBuffer(b: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

/** Owns the kernels' WebAssembly.Memory and hands out 16-byte-aligned float32/int32 blocks from it. */
export class KernelMemory {
  /** The memory the kernels import as `env.memory`. */
  readonly memory: WebAssembly.Memory;
  /** True when the memory is backed by a SharedArrayBuffer (always in Node; in a page only when cross-origin isolated). */
  readonly shared: boolean;
  /** Upper bound in pages. */
  readonly maximumPages: number;
  /** False for an adopted memory (see KernelMemoryOptions.memory). */
  readonly canAllocate: boolean;
  private top = RESERVED_BYTES;

  /** Creates (or adopts) the memory, shared where the host allows; see KernelMemoryOptions. */
  constructor(options: KernelMemoryOptions = {}) {
    const maximumPages = options.maximumPages ?? MAX_PAGES;
    if (!Number.isInteger(maximumPages) || maximumPages < 2 || maximumPages > MAX_PAGES) {
      throw new RangeError(`KernelMemory: maximumPages must be an integer in [2, ${MAX_PAGES}], got ${maximumPages}`);
    }
    this.maximumPages = maximumPages;
    if (options.memory !== undefined) {
      this.memory = options.memory;
      this.canAllocate = false;
    } else {
      this.canAllocate = true;
      const initialBytes = Math.max(options.initialBytes ?? 1 << 20, RESERVED_BYTES + PAGE_BYTES);
      const initial = Math.min(Math.ceil(initialBytes / PAGE_BYTES), maximumPages);
      this.memory = new WebAssembly.Memory({ initial, maximum: maximumPages, shared: options.shared ?? sharedMemoryAvailable() });
    }
    this.shared = isSharedBuffer(this.memory.buffer);
  }

  /** Current size of the memory in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes handed out so far, including the reserved first page. */
  get usedBytes(): number {
    return this.top;
  }

  /** Allocates `length` zeroed float32s, growing the memory if needed. */
  allocF32(length: number): F32Block {
    const offset = this.allocBytes(length, 4, 'allocF32');
    const block = new Block(this, makeF32, offset, length);
    block.array.fill(0);
    return block;
  }

  /** Allocates `length` zeroed int32s, growing the memory if needed. */
  allocI32(length: number): I32Block {
    const offset = this.allocBytes(length, 4, 'allocI32');
    const block = new Block(this, makeI32, offset, length);
    block.array.fill(0);
    return block;
  }

  /** A block over an existing float32 region (e.g. an offset received from another thread); nothing is allocated. */
  f32At(offset: number, length: number): F32Block {
    this.checkRegion(offset, length, 'f32At');
    return new Block(this, makeF32, offset, length);
  }

  /** A block over an existing int32 region; nothing is allocated. */
  i32At(offset: number, length: number): I32Block {
    this.checkRegion(offset, length, 'i32At');
    return new Block(this, makeI32, offset, length);
  }

  /** Frees every block (their memory will be handed out again; old blocks must not be used). */
  reset(): void {
    this.top = RESERVED_BYTES;
  }

  /** Grows the memory so that at least `bytes` bytes exist. */
  ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const needPages = Math.ceil((bytes - have) / PAGE_BYTES);
    const havePages = have / PAGE_BYTES;
    if (havePages + needPages > this.maximumPages) {
      throw new RangeError(`kernel memory is full: ${byteSizeText(bytes)} needed, more than the ${byteSizeText(this.maximumPages * PAGE_BYTES)} this WebAssembly memory may hold ` +
        `(at most 4 GiB in wasm32; ${byteSizeText(this.top)} in use by tables and scratch): lower the batch size, negatives, dimension or top-K (--batch-size, --neg, --dim, --top-k; batchSize, neg, dim, topK in code), or use fewer entities`);
    }
    // grow geometrically (×1.5) to keep the number of grows (and view re-creations) small
    const pages = Math.min(Math.max(needPages, Math.ceil(havePages / 2)), this.maximumPages - havePages);
    this.memory.grow(pages);
  }

  private allocBytes(length: number, elementBytes: number, what: string): number {
    if (!this.canAllocate) {
      throw new Error(`KernelMemory.${what}: this memory was adopted; allocate on the thread that created it`);
    }
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`KernelMemory.${what}: length must be a non-negative integer, got ${length}`);
    }
    const offset = this.top;
    const end = offset + length * elementBytes;
    this.ensureBytes(end);
    this.top = Math.ceil(end / 16) * 16;
    return offset;
  }

  private checkRegion(offset: number, length: number, what: string): void {
    if (!Number.isInteger(offset) || offset < RESERVED_BYTES || offset % 4 !== 0) {
      throw new RangeError(`KernelMemory.${what}: offset ${offset} is not a 4-byte-aligned offset past the reserved page`);
    }
    if (!Number.isInteger(length) || length < 0 || offset + 4 * length > this.memory.buffer.byteLength) {
      throw new RangeError(`KernelMemory.${what}: region [${offset}, +${length}×4) is outside the memory`);
    }
  }
}

/**
 * Named scratch blocks of one kernel memory that are reused across calls. A block is at least the length asked
 * for and only grows (×1.5 at least): kernel memory is a bump allocator, so a new block per shape would grow it
 * without bound when calls alternate between shapes (e.g. MulDE's hard-loss candidates and its top-K).
 */
export class ScratchBlocks {
  private readonly floats = new Map<string, F32Block>();
  private readonly ints = new Map<string, I32Block>();
  /** Scratch blocks allocated in `memory`. */
  constructor(private readonly memory: KernelMemory) {}

  /** A float32 block named `name` of at least `length` elements. */
  f32(name: string, length: number): F32Block {
    const block = this.floats.get(name);
    if (block && block.length >= length) return block;
    const fresh = this.memory.allocF32(Math.max(length, Math.ceil(1.5 * (block?.length ?? 0))));
    this.floats.set(name, fresh);
    return fresh;
  }

  /** An int32 block named `name` of at least `length` elements. */
  i32(name: string, length: number): I32Block {
    const block = this.ints.get(name);
    if (block && block.length >= length) return block;
    const fresh = this.memory.allocI32(Math.max(length, Math.ceil(1.5 * (block?.length ?? 0))));
    this.ints.set(name, fresh);
    return fresh;
  }

  /** The float32 block `name` viewed at exactly `length` elements (for calls that check exact lengths). */
  f32Exact(name: string, length: number): F32Block {
    return subF32(this.f32(name, length), 0, length);
  }

  /** The int32 block `name` viewed at exactly `length` elements. */
  i32Exact(name: string, length: number): I32Block {
    return subI32(this.i32(name, length), 0, length);
  }
}
