// Row movement and index helpers.

/** dst[i] = src[rows[i]] for i < n (rows of d floats). */
export function gatherRows(n: i32, d: i32, rows: usize, src: usize, dst: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const s = src + <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const t = dst + <usize>i * bytes;
    for (let k: usize = 0; k < bytes; k += 16) v128.store(t + k, v128.load(s + k));
  }
}

/** dst[rows[i]] += src[i] for i < n (repeated rows accumulate). */
export function scatterAddRows(n: i32, d: i32, rows: usize, src: usize, dst: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const s = src + <usize>i * bytes;
    const t = dst + <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    for (let k: usize = 0; k < bytes; k += 16) v128.store(t + k, f32x4.add(v128.load(t + k), v128.load(s + k)));
  }
}

/**
 * dst[r] += src[r] then src[r] = 0 for the n rows r of `rows` (distinct; d floats a row): folds a second gradient
 * accumulator (a worker thread's) into the first and clears it for the next step.
 */
export function addRowsAndClear(n: i32, d: i32, rows: usize, src: usize, dst: usize): void {
  const bytes = <usize>d << 2;
  const vec = bytes & ~(<usize>15);
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const at = <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const s = src + at;
    const t = dst + at;
    let k: usize = 0;
    for (; k < vec; k += 16) {
      v128.store(t + k, f32x4.add(v128.load(t + k), v128.load(s + k)));
      v128.store(s + k, zero);
    }
    for (; k < bytes; k += 4) {
      store<f32>(t + k, load<f32>(t + k) + load<f32>(s + k));
      store<f32>(s + k, 0);
    }
  }
}

/** Index of the first of n i32 ids outside [0, limit), or −1 when all are inside. */
export function firstOutOfRange(ids: usize, n: i32, limit: i32): i32 {
  const lim = i32x4.splat(limit);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    // unsigned compare: negative ids become huge and fail too
    if (v128.any_true(i32x4.ge_u(v128.load(ids + (<usize>i << 2)), lim))) break;
  }
  for (; i < n; i++) {
    if (<u32>load<i32>(ids + (<usize>i << 2)) >= <u32>limit) return i;
  }
  return -1;
}

/**
 * Appends the distinct ids among ids[0..n) to out (first-occurrence order) and returns their count. `mark` is an
 * i32 array over the id range that must be all 0 on entry; it is all 0 again on return.
 */
export function uniqueRows(ids: usize, n: i32, mark: usize, out: usize): i32 {
  let u = 0;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    const mp = mark + (<usize>id << 2);
    if (load<i32>(mp) == 0) {
      store<i32>(mp, 1);
      store<i32>(out + (<usize>u << 2), id);
      u++;
    }
  }
  for (let i = 0; i < u; i++) store<i32>(mark + (<usize>load<i32>(out + (<usize>i << 2)) << 2), 0);
  return u;
}
