import { describe, expect, it } from 'vitest';
import { loadKernels } from '../../src/kernels/kernels.js';
import { seniorKdKernels, seniorKdScratchLength } from '../../src/muldE/senior-kd-kernels.js';
import { seniorKdBlock } from './senior-kd-head.js';
import { SeededRandom } from '../../src/core/random.js';

describe('seniorKd kernel (f32x4) against the float64 reference (senior-kd-head.ts)', () => {
  it.each([
    [5, 2, 1, { scaling: true, attention: true }],
    [7, 3, 2, { scaling: true, attention: true }],
    [8, 1, 1, { scaling: false, attention: true }],
    [13, 2, 0.5, { scaling: true, attention: false }],
    [128, 3, 1, { scaling: false, attention: false }],
  ])('K=%i, T=%i teachers, temperature %f, %o', async (K, T, temperature, mechanisms) => {
    const kernels = await loadKernels();
    const n = 6, B = 10;
    const rng = new SeededRandom(`seniorKd:${K}:${T}`);
    const junior = Float32Array.from({ length: n * K }, () => 6 * (rng.next() - 0.5));
    const teachers = Array.from({ length: T }, () => Float32Array.from({ length: n * K }, () => 10 * (rng.next() - 0.5)));
    const gates = Float32Array.from({ length: n * T }, () => 3 * (rng.next() - 0.5));
    const labels = new Float32Array(n * K);
    labels[3] = 1;
    labels[2 * K + K - 1] = 1; // the last (masked-lane group) candidate of row 2
    const settings = { batchSize: B, temperature, kdWeight: 0.3, attentionTemperature: Math.E, mechanisms };
    const ref = seniorKdBlock({ n, K, junior, teachers, gates, labels }, settings);

    const block = (values: Float32Array | number) => {
      const b = kernels.memory.allocF32(typeof values === 'number' ? values : values.length);
      if (typeof values !== 'number') b.array.set(values);
      return b;
    };
    const teacherBlock = new Float32Array(T * n * K);
    teachers.forEach((t, i) => teacherBlock.set(t, i * n * K));
    const blocks = { junior: block(junior), teachers: block(teacherBlock), gates: block(gates), labels: block(labels),
      dJunior: block(n * K), dGates: block(new Float32Array(n * T).fill(9)), scratch: block(seniorKdScratchLength(K, T)) }; // dGates: whatever a reused block held
    const [senior, kd] = seniorKdKernels(kernels).run(n, K, T, blocks, { batchSize: B, temperature, kdWeight: 0.3, attentionTemperature: Math.E, ...mechanisms });
    expect(senior).toBeCloseTo(ref.senior, 5);
    expect(kd).toBeCloseTo(ref.kd, 5);
    const scale = Math.max(...Array.from(ref.dJunior, Math.abs));
    expect(scale).toBeGreaterThan(1e-4);
    for (let i = 0; i < n * K; i++) expect(Math.abs(blocks.dJunior.array[i]! - ref.dJunior[i]!) / scale).toBeLessThan(1e-4);
    for (let i = 0; i < n * T; i++) expect(blocks.dGates.array[i]).toBeCloseTo(mechanisms.scaling ? ref.dGates[i]! : 0, 6);
  });

  it('rejects a block too short for its shape', async () => {
    const kernels = await loadKernels();
    const b = (len: number) => kernels.memory.allocF32(len);
    const blocks = { junior: b(4), teachers: b(8), gates: b(2), labels: b(8), dJunior: b(8), dGates: b(2), scratch: b(seniorKdScratchLength(4, 2)) };
    expect(() => seniorKdKernels(kernels).run(2, 4, 1, blocks, { batchSize: 2, temperature: 1, kdWeight: 1, attentionTemperature: 1, scaling: true, attention: true }))
      .toThrow(/seniorKd: junior has 4 elements, needs 8/);
  });
});
