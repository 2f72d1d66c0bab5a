// A native backend asked for by name that is not installed names its package and how to get it.
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';

describe('initBackend', () => {
  it("an explicit tensorflow backend starts with @tensorflow/tfjs-node; without it, the error names the package (it said 'is its package installed?')", async () => {
    let installed = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      installed = false;
    }
    if (installed) { // a machine with the native package: it starts
      await expect(initBackend('tensorflow')).resolves.toBe('tensorflow');
      return;
    }
    await expect(initBackend('tensorflow')).rejects.toThrow("backend 'tensorflow' could not be started (the package @tensorflow/tfjs-node is not installed (npm install @tensorflow/tfjs-node; optional: kgdistill runs on wasm without it))");
  });
});

describe('the cpu backend', () => {
  it('starts without tfjs\'s "install our node backend" banner on its first tensor (it printed it on every run with --backend cpu)', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')); };
    try {
      await expect(initBackend('cpu')).resolves.toBe('cpu');
      const sum = tf.sum(tf.tensor1d([1, 2, 3]));
      expect(await sum.data()).toEqual(new Float32Array([6]));
      tf.disposeVariables();
    } finally {
      console.warn = warn;
    }
    expect(warnings.filter((w) => w.includes('node backend'))).toEqual([]);
  });
});
