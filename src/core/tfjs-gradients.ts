/**
 * tfjs' gradients, which tfjs-core does not register by itself (the union package @tensorflow/tfjs did on import).
 *
 * In a page, the entries (src/browser.ts, the explorer's worker) import tfjs-core's own
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, so a bundle carries the gradients without tfjs' layers,
 * converter, data and WebGL backend. Node cannot load that file (tfjs-core's ES modules import without file
 * extensions), and in tfjs 4.22 the one Node build that registers the gradients is the union package's: there
 * `ensureGradients` requires it, by a name no bundler follows, on tfjs-core's one engine (the union package
 * re-exports tfjs-core and registers on its global registries).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The union package, loaded in Node for its gradients (held in a variable so that bundlers leave it alone). */
const TFJS_UNION = '@tensorflow/tfjs';

/** Registers tfjs' gradients if none are yet (Node: the union package; a page's entry registers them statically). */
export function ensureGradients(): void {
  if (tf.getGradient(tf.Multiply) !== undefined) return;
  const moduleApi = globalThis.process?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (moduleApi === undefined) {
    throw new Error("tfjs' gradients are not registered: a page's bundle must import '@tensorflow/tfjs-core/dist/register_all_gradients.js' (kgdistill/browser does)");
  }
  moduleApi.createRequire(import.meta.url)(TFJS_UNION);
}
