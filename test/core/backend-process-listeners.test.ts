import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/backend.js';
import { tempDir } from '../lookup/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const backendUrl = pathToFileURL(path.join(root, 'src', 'core', 'backend.ts')).href;
// the script lives in a temporary directory, so it names the project's tfjs-core by its file (the one backend.ts loads)
const tfjsUrl = pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('@tensorflow/tfjs-core')).href;
const wasmUrl = pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm')).href;
const tmp = tempDir('backend-listeners');

/** Runs `body` as a user's ES module after `initBackend('wasm')` (tsx as a loader); resolves with its exit code and stderr. */
function runUserScript(name: string, body: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const file = path.join(tmp, `${name}.mjs`);
  writeFileSync(file, `import * as tf from '${tfjsUrl}';\nimport { initBackend } from '${backendUrl}';\n${body}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr, stdout })));
}

describe('initBackend(wasm) leaves the process its own error handling', () => {
  it('keeps a listener the user adds while the backend starts (only the Emscripten module\'s are removed)', async () => {
    const { code, stderr, stdout } = await runUserScript('concurrent', [
      `await import('${wasmUrl}');`,
      `const mine = () => {};`,
      `const starting = initBackend('wasm');`,
      `setImmediate(() => process.on('uncaughtException', mine));`,
      `await starting;`,
      `console.log(process.listeners('uncaughtException').includes(mine), process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length);`,
    ].join('\n'));
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe('true 1 0');
  }, 60_000);

  it('a user error thrown after it exits 1 with the user\'s own message and stack, and tfjs still computes', async () => {
    const { code, stderr, stdout } = await runUserScript('thrown', [
      `console.log(await initBackend('wasm'), tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0]);`,
      `throw new Error('user-thrown-boom');`,
    ].join('\n'));
    expect(stdout.trim()).toBe('wasm 5');
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/Error: user-thrown-boom/);
    expect(stderr).toMatch(/thrown\.mjs/);
    expect(stderr).not.toMatch(/tf-backend-wasm/);
  }, 60_000);

  it('an unhandled rejection after it exits 1 with the user\'s message', async () => {
    const { code, stderr } = await runUserScript('rejected', [
      `await initBackend('wasm');`,
      `setTimeout(() => Promise.reject(new Error('user-rejected-boom')), 0);`,
    ].join('\n'));
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/Error: user-rejected-boom/);
    expect(stderr).not.toMatch(/tf-backend-wasm/);
  }, 60_000);

  it('keeps a listener the user added before it', async () => {
    const { code, stderr } = await runUserScript('own-handler', [
      `process.on('uncaughtException', (error) => { console.error('mine: ' + error.message); process.exit(3); });`,
      `await initBackend('wasm');`,
      `throw new Error('user-handled-boom');`,
    ].join('\n'));
    expect(code, stderr).toBe(3);
    expect(stderr).toMatch(/mine: user-handled-boom/);
  }, 60_000);

  it('adds no uncaughtException or unhandledRejection listener in this process, and tensor ops run on wasm', async () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    expect(await initBackend('wasm')).toBe('wasm');
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync());
    expect(product).toEqual([[17], [39]]);
  });
});
