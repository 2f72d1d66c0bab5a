/**
 * Plain (host-memory) typed arrays whose length grows with a step's options: too long a one is a clear error naming
 * what it holds and the options that lower it, not V8's "Invalid typed array length".
 */

/** Elements one typed array holds at most (V8 on 64-bit hosts, Node 20: 2^32). */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

/** An Int32Array of `length` elements; `what` says what it holds and which options make it long (for the error). */
export function plainInts(length: number, what: string): Int32Array<ArrayBuffer> {
  const tooLong = (): Error => new RangeError(`${what}: ${Math.ceil(length).toLocaleString('en-US')} ids are more than one typed array holds ` +
    `(${MAX_TYPED_ARRAY_LENGTH.toLocaleString('en-US')}, ${(4 * length / 2 ** 30).toFixed(1)} GiB): lower --neg or --batch-size`);
  if (!(length <= MAX_TYPED_ARRAY_LENGTH)) throw tooLong();
  try {
    return new Int32Array(length);
  } catch (error) {
    if (error instanceof RangeError) throw Object.assign(tooLong(), { cause: error }); // out of host memory
    throw error;
  }
}
