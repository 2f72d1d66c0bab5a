/**
 * Named scratch blocks of one opened run's lookups in kernel memory. Kernel memory is a bump allocator, so a block
 * only grows (by half again at least) and is reused by every later call that asks for its name.
 */
import { subF32, subI32, type F32Block, type I32Block, type KernelMemory } from '../kernels/kernel-memory.js';

/** Blocks that only grow: one per name, at least the length asked for. */
export class Room {
  private readonly f32 = new Map<string, F32Block>();
  private readonly i32 = new Map<string, I32Block>();
  constructor(private readonly memory: KernelMemory) {}

  /** The float block `name`, viewed at `length` floats. */
  floats(name: string, length: number): F32Block {
    return subF32(Room.grow(this.f32, name, length, (n) => this.memory.allocF32(n)), 0, length);
  }

  /** The int32 block `name`, viewed at `length` ints. */
  ints(name: string, length: number): I32Block {
    return subI32(Room.grow(this.i32, name, length, (n) => this.memory.allocI32(n)), 0, length);
  }

  private static grow<B extends { length: number }>(blocks: Map<string, B>, name: string, length: number, alloc: (n: number) => B): B {
    const have = blocks.get(name);
    if (have && have.length >= length) return have;
    const block = alloc(Math.max(length, Math.ceil(1.5 * (have?.length ?? 0)), 16));
    blocks.set(name, block);
    return block;
  }
}
