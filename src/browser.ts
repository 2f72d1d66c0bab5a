/**
 * kgdistill in a web page (`import { initEngine, datasetFromTriples, train } from 'kgdistill/browser'`): the engine of
 * `kgdistill train` — the same option checks and defaults, model registry, seeded trainer, filtered validation and
 * test — with the dataset and the checkpoints in memory, and the trained model answering predict, neighbors and
 * score as the Node library's openModel does. Nothing here imports a Node module: any bundler builds it as it is.
 *
 * The page (or its worker) need not be cross-origin isolated: the kernels run on one thread, as `KGDISTILL_THREADS=1`
 * runs them in Node — sampled negatives (`neg`) or 1-N training (`oneToN: true`) alike — on a shared WebAssembly memory
 * where the page is isolated (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`)
 * and on an unshared one where it is not, with the same results. Isolation changes nothing else here: tfjs' own wasm
 * threads, which would need it, are turned off by initEngine either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from './core/backend.js';
import { ensureGradients } from './core/tfjs-gradients.js';
import { useKernelModule } from './kernels/kernel-host.js';
import { loadKernelsFromUrl } from './kernels/kernel-loader-browser.js';
import { datasetFromBytes as readFiles, datasetFromTriples as readTriples, type BytesDataset, type GivenTriple, type InMemoryTriples, type TripleBytesFile } from './kg/bytes-dataset.js';
import type { NamedTriple } from './kg/split-triples.js';
import type { TrainOptions as NodeTrainOptions } from './pipeline/option-schemas.js';
import { modelNames as registeredModels } from './registry/models.js';
import { KgInputError } from './kg/errors.js';
import { LookupError } from './lookup/errors.js';
import { OptionsError } from './pipeline/options-error.js';
import type { CurvePoint, ModelSummary, NeighborsResult, PredictResult, TestMetrics, TripleScore } from './serve/explorer/protocol.js';
import type { InPageModel } from './serve/explorer/worker/in-page-model.js';
import { inPageSettings, trainInPage } from './serve/explorer/worker/in-page-training.js';

export type { CurvePoint, GivenTriple, InMemoryTriples, ModelSummary, NamedTriple, NeighborsResult, PredictResult, TestMetrics, TripleBytesFile, TripleScore };
export { KgInputError, LookupError, OptionsError };

/** Whether initEngine has started the engine (train needs it; tfjs' wasm backend cannot be started twice). */
let engineStarted = false;

/** Where the kernels are by default: the package's build/kernels.wasm, beside dist/ (a bundler that copies assets finds it here). */
const DEFAULT_KERNELS = (): URL => new URL('../../build/kernels.wasm', import.meta.url);

/** Options of {@link initEngine}. */
export interface EngineOptions {
  /**
   * The kernels: the URL of kgdistill's build/kernels.wasm (package export `kgdistill/kernels.wasm`; default: beside
   * this file's package), or that file compiled (in a page that is not cross-origin isolated, give the URL: the file as
   * it is imports a shared memory, which the loader adapts and a compiled module cannot be).
   */
  kernels?: string | URL | WebAssembly.Module;
  /** Where tfjs' wasm backend finds its binaries (tfjs-backend-wasm's setWasmPaths: a folder URL ending in `/`, or a file → URL map); default tfjs' own. */
  tfjsWasm?: string | Record<string, string>;
}

/**
 * Registers tfjs' gradients, which tfjs-core registers none of: in a page, tfjs-core's own file (a bundler takes it into
 * the bundle or a chunk of its own); in Node (a page's code under test, server rendering), which cannot load that file,
 * the engine's Node path (src/core/tfjs-gradients.ts). Loaded here rather than on import, so that importing this module
 * works in Node too.
 */
async function registerGradients(): Promise<void> {
  if (globalThis.process?.getBuiltinModule === undefined) await import('@tensorflow/tfjs-core/dist/register_all_gradients.js'); // a page
  ensureGradients(); // Node; in a page, registered by now: nothing left to do
}

/** Loads the kernels and starts tfjs' wasm backend (call once, before training); returns the backend tfjs runs. */
export async function initEngine(options: EngineOptions = {}): Promise<{ backend: string }> {
  await registerGradients();
  if (options.tfjsWasm !== undefined) setWasmPaths(options.tfjsWasm);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // the engine's own threads are its kernels'; tfjs' threaded build needs its worker script
  const kernels = options.kernels ?? DEFAULT_KERNELS();
  if (kernels instanceof WebAssembly.Module) useKernelModule(kernels);
  else await loadKernelsFromUrl(kernels);
  let backend: string;
  try {
    backend = await initBackend('wasm');
  } catch {
    const where = options.tfjsWasm === undefined ? 'beside the bundled script (tfjs\' default)' : `at ${JSON.stringify(options.tfjsWasm)}`;
    throw new Error(`tfjs' wasm backend could not start: its binaries were not found ${where} (the browser's console shows the failed request). ` +
      "Copy tfjs-backend-wasm.wasm and tfjs-backend-wasm-simd.wasm from node_modules/@tensorflow/tfjs-backend-wasm/dist/ to your site and give their folder: " +
      "initEngine({ tfjsWasm: '/tfjs/' }); then reload the page or worker (tfjs' wasm backend starts once)");
  }
  engineStarted = true;
  return { backend };
}

/** A dataset held in memory, ready to train on (its `readNotes` say what reading did). */
export type BrowserDataset = BytesDataset;

/** The dataset of triple files in memory: one file (split 80/10/10 by `seed`) or three whose names say train, valid and test. */
export function datasetFromBytes(files: readonly TripleBytesFile[], options: { seed?: number } = {}): BrowserDataset {
  return readFiles(files, options.seed ?? 0);
}

/** The dataset of triples in memory: one list (split 80/10/10 by `seed`) or `{ train, valid?, test? }`. */
export function datasetFromTriples(triples: InMemoryTriples, options: { seed?: number; name?: string } = {}): BrowserDataset {
  return readTriples(triples, options.seed ?? 0, options.name);
}

/** The registered models' names (`train`'s `model`), in the registry's order. */
export function modelNames(): string[] {
  return registeredModels();
}

/** `kgdistill train`'s options that mean something in a page (same names, checks and defaults: docs/API.md). */
export type BrowserTrainOptions = Omit<NodeTrainOptions, (typeof NOT_IN_A_PAGE)[number]> & {
  /** Called after each epoch with its loss (and validation MRR on validation epochs). */
  onEpoch?: (point: CurvePoint) => void;
  /** Called as training goes (phase, epoch of epochs, step of steps). */
  onProgress?: (phase: 'training' | 'validating' | 'testing', epoch: number, epochs: number, step: number, steps: number) => void;
};

/** Options of `kgdistill train` with no meaning in a page: the dataset is an argument, nothing is written, the backend is wasm. */
const NOT_IN_A_PAGE = ['dataset', 'out', 'backend', 'testEval', 'evalCandidates', 'evalSeed', 'unseen', 'delimiter', 'columns', 'header', 'encoding'] as const;

/** What {@link train} returns: the test metrics of the best checkpoint (without test triples: none), the run's facts and the model. */
export interface BrowserTrainResult {
  test?: TestMetrics;
  curves: CurvePoint[];
  epochs: number;
  bestEpoch: number;
  seconds: number;
  warnings: string[];
  triples: { train: number; valid: number; test: number };
  model: BrowserModel;
}

/** A link-prediction query: the tails of (head, relation, ?) or the heads of (?, relation, tail), by name. */
export type BrowserPredictQuery = { head: string; relation: string; tail?: never } | { tail: string; relation: string; head?: never };

/** A model trained in the page, queried as the Node library's OpenedModel (entities and relations by name). */
export interface BrowserModel {
  /** Model, dimension, dataset, metric, test metrics, curves and settings. */
  info(): ModelSummary;
  /** The k nearest entities of an entity (an exact sweep of all). */
  neighbors(entity: string, k?: number): Promise<NeighborsResult>;
  /** The k best answers of a query; `filtered` leaves out answers known true in train/valid/test instead of marking them. */
  predict(query: BrowserPredictQuery, k?: number, options?: { filtered?: boolean }): Promise<PredictResult>;
  /** The model's score of one triple and the raw and filtered rank of its tail. */
  score(head: string, relation: string, tail: string): Promise<TripleScore>;
  /** Frees the model's kernel scratch; every other method then throws, a second close does nothing. */
  close(): void;
}

/** The public face of a model trained in the page. */
function browserModel(model: InPageModel): BrowserModel {
  let closed = false;
  const open = (): InPageModel => {
    if (closed) throw new Error('this model was closed; train it again');
    return model;
  };
  return {
    info: () => open().summary(),
    neighbors: async (entity, k) => open().neighbors(entity, k),
    predict: async (query, k, options = {}) => open().predict({ ...query, k, filtered: options.filtered === true }),
    score: async (head, relation, tail) => open().score({ head, relation, tail }),
    close: () => {
      if (!closed) model.dispose();
      closed = true;
    },
  };
}

/** Trains a model on `dataset` as `kgdistill train` does (same options, checks and defaults, `oneToN` too; seeded), in memory; call initEngine first. */
export async function train(dataset: BrowserDataset, options: BrowserTrainOptions = {}): Promise<BrowserTrainResult> {
  if (Array.isArray(dataset) || typeof (dataset as Partial<BrowserDataset> | undefined)?.train === 'undefined') {
    throw new Error("train: the first argument is a dataset: make it with datasetFromTriples(triples) or datasetFromBytes(files)");
  }
  const { onEpoch, onProgress, ...given } = options;
  const refused = NOT_IN_A_PAGE.filter((key) => Object.hasOwn(given, key));
  if (refused.length > 0) {
    const message = `train: ${refused.map((k) => `'${k}'`).join(', ')} ${refused.length === 1 ? 'is not an option' : 'are not options'} in a page (the dataset is train's first argument, nothing is written, the backend is wasm)`;
    throw new OptionsError(message, refused.map((key) => ({ key, message: 'is not an option in a page', value: (given as Record<string, unknown>)[key] })));
  }
  const settings = inPageSettings(dataset, given);
  if (!engineStarted) throw new Error("train: call initEngine() first (it loads the kernels and starts tfjs' wasm backend)");
  const { outcome, model } = await trainInPage(dataset, settings, { progress: onProgress ?? (() => undefined), epoch: onEpoch ?? (() => undefined) });
  const { summary } = outcome;
  return {
    ...(summary.test ? { test: summary.test } : {}),
    curves: summary.curves, epochs: outcome.epochs, bestEpoch: Number(summary.settings.bestEpoch), seconds: outcome.seconds,
    warnings: outcome.warnings, triples: outcome.triples, model: browserModel(model),
  };
}
