// The engine imports tfjs-core, on which no backend is registered by importing it: each backend's package is loaded
// on the path that starts it (src/core/backend.ts). With the union package @tensorflow/tfjs, importing the engine
// registered the cpu and WebGL backends (and bundled them, with layers, converter and data, into every page).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/backend.js';

describe('backends register on the path that starts them', () => {
  it('importing the engine registers neither cpu nor WebGL; initBackend("cpu") loads, registers and starts cpu', async () => {
    expect(tf.findBackendFactory('cpu')).toBeNull();
    expect(tf.findBackendFactory('webgl')).toBeNull();
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.findBackendFactory('cpu')).not.toBeNull();
    expect(tf.findBackendFactory('webgl')).toBeNull();
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync());
    expect(product).toEqual([[17], [39]]);
  });

  it('then wasm on the same tfjs-core engine: one engine, whichever backend runs', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]).toBe(6);
  });
});

describe("tfjs' gradients, which tfjs-core registers none of", () => {
  it('are registered by the engine when it first differentiates (Node: the union package), and tf.grad then works', async () => {
    const { ensureGradients } = await import('../../src/core/tfjs-gradients.js');
    expect(tf.getGradient(tf.Multiply)).toBeUndefined();
    expect(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]))).toThrow('Cannot compute gradient: gradient function not found');
    ensureGradients();
    expect(tf.getGradient(tf.Multiply)).toBeDefined();
    expect(Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3])).dataSync())).toEqual([2, 4, 6]);
  });
});
