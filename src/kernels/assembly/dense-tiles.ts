// Register tiles of dense products (dense-softmax.ts, dense-scores.ts). Nothing here is exported by the module.
//
// A blocked table is top-k.ts's `blockTable` layout [⌈N/4⌉][d][4]: entity j's coordinate k at
// ((j >> 2)·d + k)·4 + (j & 3), so that the four entities of a block share one f32x4 per coordinate. A tile is 4
// query rows × 8 entities (two blocks): eight f32x4 accumulators, and per coordinate k two block loads and four
// broadcast query coordinates (v128.load32_splat) — 16 lane-wise multiply-adds per 6 loads, in 12 registers.
import { madd } from './simd';

/**
 * o_i[0..4) ← the first four and (o_i + second)[0..4) the last four of initScale·init[0..8) + (q_i·e_l)_{l<8} for the
 * 4 query rows q_i (d floats each) and the 8 entities of the two blocks at `e` (d·4 floats each); init = 0 starts
 * from zero (else 8 floats, e.g. the tail biases); second = 16 writes the eight contiguously.
 */
@inline export function dotTile4x8(q0: usize, q1: usize, q2: usize, q3: usize, e: usize, d: i32, init: usize,
  initScale: f32, o0: usize, o1: usize, o2: usize, o3: usize, second: usize): void {
  let i0 = f32x4.splat(0), i1 = i0;
  if (init != 0) {
    i0 = f32x4.mul(v128.load(init), f32x4.splat(initScale));
    i1 = f32x4.mul(v128.load(init, 16), f32x4.splat(initScale));
  }
  let a00 = i0, a01 = i1, a10 = i0, a11 = i1, a20 = i0, a21 = i1, a30 = i0, a31 = i1;
  let e0 = e, e1 = e + (<usize>d << 4);
  const end = q0 + (<usize>d << 2);
  let x0 = i0, x1 = i0, s = i0;
  // four coordinates per iteration (d % 4 == 0): immediate load offsets, one pointer step per operand
  for (; q0 < end; q0 += 16, q1 += 16, q2 += 16, q3 += 16, e0 += 64, e1 += 64) {
    x0 = v128.load(e0, 0);
    x1 = v128.load(e1, 0);
    s = v128.load32_splat(q0, 0);
    a00 = madd(s, x0, a00);
    a01 = madd(s, x1, a01);
    s = v128.load32_splat(q1, 0);
    a10 = madd(s, x0, a10);
    a11 = madd(s, x1, a11);
    s = v128.load32_splat(q2, 0);
    a20 = madd(s, x0, a20);
    a21 = madd(s, x1, a21);
    s = v128.load32_splat(q3, 0);
    a30 = madd(s, x0, a30);
    a31 = madd(s, x1, a31);
    x0 = v128.load(e0, 16);
    x1 = v128.load(e1, 16);
    s = v128.load32_splat(q0, 4);
    a00 = madd(s, x0, a00);
    a01 = madd(s, x1, a01);
    s = v128.load32_splat(q1, 4);
    a10 = madd(s, x0, a10);
    a11 = madd(s, x1, a11);
    s = v128.load32_splat(q2, 4);
    a20 = madd(s, x0, a20);
    a21 = madd(s, x1, a21);
    s = v128.load32_splat(q3, 4);
    a30 = madd(s, x0, a30);
    a31 = madd(s, x1, a31);
    x0 = v128.load(e0, 32);
    x1 = v128.load(e1, 32);
    s = v128.load32_splat(q0, 8);
    a00 = madd(s, x0, a00);
    a01 = madd(s, x1, a01);
    s = v128.load32_splat(q1, 8);
    a10 = madd(s, x0, a10);
    a11 = madd(s, x1, a11);
    s = v128.load32_splat(q2, 8);
    a20 = madd(s, x0, a20);
    a21 = madd(s, x1, a21);
    s = v128.load32_splat(q3, 8);
    a30 = madd(s, x0, a30);
    a31 = madd(s, x1, a31);
    x0 = v128.load(e0, 48);
    x1 = v128.load(e1, 48);
    s = v128.load32_splat(q0, 12);
    a00 = madd(s, x0, a00);
    a01 = madd(s, x1, a01);
    s = v128.load32_splat(q1, 12);
    a10 = madd(s, x0, a10);
    a11 = madd(s, x1, a11);
    s = v128.load32_splat(q2, 12);
    a20 = madd(s, x0, a20);
    a21 = madd(s, x1, a21);
    s = v128.load32_splat(q3, 12);
    a30 = madd(s, x0, a30);
    a31 = madd(s, x1, a31);
  }
  v128.store(o0, a00);
  v128.store(o0 + second, a01);
  v128.store(o1, a10);
  v128.store(o1 + second, a11);
  v128.store(o2, a20);
  v128.store(o2 + second, a21);
  v128.store(o3, a30);
  v128.store(o3 + second, a31);
}

/** Entities of a tiled row: N rounded up to a multiple of 8 (the row stride of tiled score blocks). */
@inline export function paddedEntities(N: i32): i32 {
  return ((N + 7) >> 3) << 3;
}

/**
 * 2ˣ per lane for x ≤ 127 (x < −126 gives ≈ 0): n = round(x) from the float x + 1.5·2²³, whose low mantissa bits
 * hold n (no float→int conversion: V8's i32x4.trunc_sat_f32x4_s is a long sequence on x64), r = x − n ∈ [−½, ½]
 * exactly, 2ʳ = 1 + r·P(r) with Cephes exp2f's degree-5 P (Moshier; peak relative error 1.7e-7), Estrin evaluation,
 * and 2ⁿ as the exponent bits n + 127.
 */
@inline export function exp2Lanes(x0: v128): v128 {
  const x = f32x4.pmax(x0, f32x4.splat(-126.0));
  const t = f32x4.add(x, f32x4.splat(12582912.0));
  const r = f32x4.sub(x, f32x4.sub(t, f32x4.splat(12582912.0)));
  const r2 = f32x4.mul(r, r), r4 = f32x4.mul(r2, r2);
  const p01 = madd(f32x4.splat(2.402264791363012e-1), r, f32x4.splat(6.931472028550421e-1));
  const p23 = madd(f32x4.splat(9.618437357674640e-3), r, f32x4.splat(5.550332471162809e-2));
  const p45 = madd(f32x4.splat(1.535336188319500e-4), r, f32x4.splat(1.339887440266574e-3));
  const P = madd(r4, p45, madd(r2, p23, p01));
  // the bits of t are 0x4B400000 + n; shifted by 23, 0x4B400000's low bits leave the word and n + 127 is the exponent
  return f32x4.mul(madd(r, P, f32x4.splat(1.0)), i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23));
}

/**
 * out ← the N×d table in the blocked layout of the dense kernels, padded to Np = ⌈N/8⌉·8 entities (zero rows):
 * block b holds entities 4b … 4b + 3, coordinate k at ((b·d + k)·4 + lane). Four rows at a time by 4×4 transposes.
 */
export function blockRows(N: i32, d: i32, table: usize, out: usize): void {
  const rowBytes = <usize>d << 2;
  const blocks = paddedEntities(N) >> 2;
  const z = f32x4.splat(0);
  for (let b = 0; b < blocks; b++) {
    const j = b << 2;
    const r0 = table + <usize>j * rowBytes;
    const o = out + <usize>b * (rowBytes << 2);
    const n = min(4, N - j); // real rows in this block (≤ 0: a padding block)
    for (let k: usize = 0; k < rowBytes; k += 16) {
      const a = n > 0 ? v128.load(r0 + k) : z;
      const c1 = n > 1 ? v128.load(r0 + rowBytes + k) : z;
      const c2 = n > 2 ? v128.load(r0 + 2 * rowBytes + k) : z;
      const c3 = n > 3 ? v128.load(r0 + 3 * rowBytes + k) : z;
      const t0 = v128.shuffle<f32>(a, c1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, c1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(c2, c3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c2, c3, 2, 6, 3, 7);
      const p = o + (k << 2);
      v128.store(p, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(p, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
      v128.store(p, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
      v128.store(p, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
    }
  }
}
