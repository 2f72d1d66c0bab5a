/**
 * The explorer's Web Worker (bundled to /explorer/worker.js): loads the engine — the tfjs wasm backend and the
 * kernels, fetched from its own server — trains on the dropped files (in-page-training.ts) and then answers the
 * page's queries on the trained model (in-page-model.ts). One thread: a browser has no kernel worker.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js'; // tfjs-core registers none itself (src/core/tfjs-gradients.ts)
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadKernelsFromUrl } from '../../../kernels/kernel-loader-browser.js';
import { KgInputError } from '../../../kg/errors.js';
import { LookupError, STATUS_OF_LOOKUP_ERROR } from '../../../lookup/errors.js';
import { modelNames } from '../../../registry/models.js';
import type { FormLabels, FromWorker, PredictArgs, QueryFailure, ScoreArgs, ToWorker } from '../protocol.js';
import { datasetFromBytes } from '../../../kg/bytes-dataset.js';
import { formNaming, inPageSettings, trainChoices, trainInPage } from './in-page-training.js';
import type { InPageModel } from './in-page-model.js';

const scope = self as unknown as { postMessage(message: FromWorker): void; onmessage: ((event: MessageEvent<ToWorker>) => void) | null; location: Location };
const post = (message: FromWorker): void => scope.postMessage(message);

let engine: Promise<void> | undefined;
let model: InPageModel | undefined;
let lastProgress = 0;

/** Loads the kernels and points tfjs at its wasm binaries (once). */
function loadEngine(): Promise<void> {
  engine ??= (async () => {
    const base = new URL('./', scope.location.href).href;
    setWasmPaths(base);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await loadKernelsFromUrl(new URL('kernels.wasm', base));
  })();
  return engine;
}

/** An error as the page shows it: input and lookup errors keep their message (and suggestions). */
function failure(error: unknown): QueryFailure {
  if (error instanceof LookupError) {
    return { status: STATUS_OF_LOOKUP_ERROR[error.kind], error: error.kind, message: error.message, suggestions: [...error.suggestions], suggestionKeys: [...error.suggestionKeys] };
  }
  if (error instanceof KgInputError) return { status: 400, error: 'bad-file', message: error.message };
  return { status: 500, error: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/** Answers one query on the trained model, or on the engine (the model names, what the train form may choose). */
function query(method: string, args: unknown[]): unknown {
  if (method === 'models') return modelNames();
  if (method === 'trainChoices') return trainChoices(formNaming(args[0] as FormLabels));
  if (!model) throw new LookupError('invalid', 'no model has been trained in this page yet');
  switch (method) {
    case 'summary': return model.summary();
    case 'suggest': return model.suggest(args[0] as string, args[1] as number | undefined);
    case 'neighbors': return model.neighbors(args[0] as string, args[1] as number);
    case 'predict': return model.predict(args[0] as PredictArgs);
    case 'score': return model.score(args[0] as ScoreArgs);
    case 'projection': return model.projection(args[0] as string, args[1] as number[]);
    default: throw new LookupError('invalid', `unknown query '${method}'`);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  void (async () => {
    try {
      if (message.type === 'train') {
        post({ type: 'progress', phase: 'loading', epoch: 0, epochs: message.settings.epochs, step: 0, steps: 1, message: 'reading the file and loading the engine' });
        const dataset = datasetFromBytes(message.files, message.settings.seed);
        const name = formNaming(message.labels ?? {}); // the form's refusals name its fields, by their labels
        const settings = inPageSettings(dataset, message.settings, name); // a refused file or setting keeps the model trained before
        await loadEngine();
        model?.dispose();
        model = undefined;
        // the page's signal that the model trained before is gone (worker-client.ts): the first progress past loading
        post({ type: 'progress', phase: 'training', epoch: 0, epochs: settings.epochs, step: 0, steps: 1 });
        const trained = await trainInPage(dataset, settings, {
          progress: (phase, epoch, epochs, step, steps) => {
            const now = performance.now();
            if (step !== 0 && step !== steps && now - lastProgress < 50) return; // at most ~20 messages a second
            lastProgress = now;
            post({ type: 'progress', phase, epoch, epochs, step, steps });
          },
          epoch: (point) => post({ type: 'epoch', point }),
        }, name);
        model = trained.model;
        post({ id: message.id, type: 'result', value: trained.outcome });
      } else {
        post({ id: message.id, type: 'result', value: query(message.method, message.args) });
      }
    } catch (error) {
      post({ id: message.id, type: 'failure', failure: failure(error) });
    }
  })();
};
