import { beforeAll, describe, expect, it } from 'vitest';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { blockedLength } from '../../src/kernels/top-k-kernels.js';
import { poincareEntityOrder, writeEntitySide } from '../../src/core/poincare-entity-order.js';
import { rowSquaredNorms } from '../../src/kernels/row-norms.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });

// 3 entities of width 2: rows (1, 2), (0, −1), (3, 0); tail biases 0.1, 0.3, 0.3
const rows = Float32Array.of(1, 2, 0, -1, 3, 0);
const bias = Float32Array.of(0.1, 0.3, 0.3);

describe('the Poincaré entity side (core/poincare-entity-order.ts)', () => {
  it('orders ids by descending tail bias, ties to the lower id; keeps 0…N−1 without biases', () => {
    expect(Array.from(poincareEntityOrder(3, bias))).toEqual([1, 2, 0]);
    expect(Array.from(poincareEntityOrder(3))).toEqual([0, 1, 2]);
    expect(Array.from(poincareEntityOrder(4, [-1, 2, -1, 2]))).toEqual([1, 3, 0, 2]);
  });

  it('takes ‖v‖² of each row', () => {
    expect(Array.from(rowSquaredNorms(rows, 3, 2))).toEqual([5, 1, 9]);
  });

  it('writes perm, the blocked table, ‖v‖² and the biases in visiting order, zero padded to 4', () => {
    const order = poincareEntityOrder(3, bias);
    const table = k.memory.allocF32(6);
    table.array.set(rows);
    const out = { perm: k.memory.allocI32(3), blocked: k.memory.allocF32(blockedLength(3, 2)), v2: k.memory.allocF32(4), bias: k.memory.allocF32(4) };
    out.v2.array.fill(7); // stale scratch: the padding is written too
    out.bias.array.fill(7);
    writeEntitySide(k, table, 2, order, rowSquaredNorms(rows, 3, 2), bias, out);
    expect(Array.from(out.perm.array)).toEqual([1, 2, 0]);
    // one block of 4 entities × d = 2: [k][lane] = row(order[lane])[k], the fourth lane zero
    expect(Array.from(out.blocked.array)).toEqual([0, 3, 1, 0, -1, 0, 2, 0]);
    expect(Array.from(out.v2.array)).toEqual([1, 9, 5, 0]);
    expect(Array.from(out.bias.array)).toEqual([bias[1], bias[2], bias[0], 0]);
    // no biases: zeros where a bias block is kept, and none where it is not
    writeEntitySide(k, table, 2, poincareEntityOrder(3), rowSquaredNorms(rows, 3, 2), undefined, out);
    expect(Array.from(out.perm.array)).toEqual([0, 1, 2]);
    expect(Array.from(out.blocked.array)).toEqual([1, 0, 3, 0, 2, -1, 0, 0]);
    expect(Array.from(out.v2.array)).toEqual([5, 1, 9, 0]);
    expect(Array.from(out.bias.array)).toEqual([0, 0, 0, 0]);
    expect(() => writeEntitySide(k, table, 2, order, [5, 1, 9], bias, { ...out, bias: null })).not.toThrow();
  });
});
