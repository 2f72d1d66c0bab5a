/**
 * tfjs' gradients, which tfjs-core does not register by itself (the union package @tensorflow/tfjs did on import).
 *
 * In a page, the entries load tfjs-core's own `@tensorflow/tfjs-core/dist/register_all_gradients` (the explorer's
 * worker on import, src/browser.ts in initEngine), so a bundle carries the gradients without tfjs' layers,
 * converter, data and WebGL backend. Node cannot load that file (tfjs-core's ES modules import without file
 * extensions), and in tfjs 4.22 the one Node build that registers the gradients is the union package's: there
 * `ensureGradients` requires it, by a name no bundler follows, on tfjs-core's one engine (the union package
 * re-exports tfjs-core and registers on its global registries).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The union package, loaded in Node for its gradients (held in a variable so that bundlers leave it alone). */
const TFJS_UNION = '@tensorflow/tfjs';

/** Registers tfjs' gradients if none are yet (Node: the union package; a page's entry registers tfjs-core's own). */
export function ensureGradients(): void {
  if (tf.getGradient(tf.Multiply) !== undefined) return;
  const moduleApi = globalThis.process?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (moduleApi === undefined) {
    throw new Error("tfjs' gradients are not registered: a page's bundle must import '@tensorflow/tfjs-core/dist/register_all_gradients.js' (kgdistill/browser does)");
  }
  try {
    moduleApi.createRequire(import.meta.url)(TFJS_UNION);
  } catch (error) {
    throw gradientsLoadError(error);
  }
}

/**
 * Why the union package could not be loaded, in words a user can act on. Its Node build requires `long` without
 * declaring it (tensorflow/tfjs#6841): npm and pnpm hoist it by default, strict layouts (Yarn PnP, pnpm without hoisting)
 * do not.
 */
export function gradientsLoadError(error: unknown): Error {
  const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  const missing = /Cannot find module '([^']+)'/.exec(message)?.[1];
  const why = missing === 'long'
    ? `${TFJS_UNION}'s Node build requires 'long' without declaring it (tensorflow/tfjs#6841), and this install does not hoist it: ` +
      `declare it for the package (pnpm: pnpm.packageExtensions { "${TFJS_UNION}": { "dependencies": { "long": "4.0.0" } } }; ` +
      'Yarn: packageExtensions in .yarnrc.yml) or install long beside kgdistill'
    : `${TFJS_UNION} could not be loaded (${message}); it is a dependency of kgdistill: reinstall it`;
  return new Error(`training through tfjs' gradients (--path tfjs, a native backend, 1-N of a model the dense kernels do not score, kd's methods) needs them, and ${why}. ` +
    'The fused kernels (the default path), evaluation, predictions and the service do not.', { cause: error });
}
