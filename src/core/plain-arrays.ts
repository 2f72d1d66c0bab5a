/**
 * Plain (host-memory) typed arrays whose length grows with a step's options: too long a one is a clear error naming
 * what it holds and the options that lower it, not V8's "Invalid typed array length".
 */
import { byteSizeText } from '../kernels/byte-size.js';

/** Elements one typed array holds at most (V8 on 64-bit hosts, Node 20: 2^32). */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

/**
 * An Int32Array of `length` elements; `what` says what it holds and what makes it long (the step's options, named by
 * the callers' words: the pre-flight check in pipeline/run-memory.ts names them by flag or key before this is reached).
 */
export function plainInts(length: number, what: string): Int32Array<ArrayBuffer> {
  const ids = `${Math.ceil(length).toLocaleString('en-US')} ids (${byteSizeText(4 * length)})`;
  if (!(length <= MAX_TYPED_ARRAY_LENGTH)) {
    throw new RangeError(`${what}: ${ids} are more than one typed array holds (${MAX_TYPED_ARRAY_LENGTH.toLocaleString('en-US')}): lower the negatives or the batch size`);
  }
  try {
    return new Int32Array(length);
  } catch (error) {
    if (error instanceof RangeError) throw new RangeError(`${what}: the host is out of memory for ${ids}: lower the negatives or the batch size`, { cause: error });
    throw error;
  }
}
