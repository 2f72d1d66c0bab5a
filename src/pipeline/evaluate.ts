/** `evaluate`: filtered link-prediction metrics of a trained run (best or last checkpoint) on a split of its dataset. */
import path from 'node:path';
import { emptySplitError, loadDataset, type KgDataset } from '../kg/dataset.js';
import { KgInputError } from '../kg/errors.js';
import { DATASET_DIRECTORY_NOT_FOUND } from '../kg/resolve-dataset.js';
import type { UnseenPolicy } from '../kg/types.js';
import { z } from 'zod';
import { BACKEND_CHOICES, initBackend, type BackendRequest } from '../core/backend.js';
import { runDataFromDataset, requireSameTriples, requireSameVocabulary, type RunData } from '../core/training-data.js';
import { evaluateSplit } from '../eval/evaluate-run.js';
import { evaluationSummary } from '../eval/evaluate.js';
import type { EvaluateResult, FullSummaryMetrics, SampledSummaryMetrics } from './public-results.js';
import { loadRun, noteIfStillTraining, type LoadedRun } from '../registry/load-run.js';
import { evaluateSampledAsync, requireCandidates, sampledSummary } from '../eval/sampled-evaluation.js';
import { findRunConfig } from './run-config.js';
import { relationBreakdown } from '../eval/relation-breakdown.js';
import { conflictingOptions } from './options-error.js';
import { dataSummary } from './run-texts.js';
import { dataOptions, parseOptions, nonNegativeInt, unusedEvalSeedNote, readerErrorNamed, readingOptionsOfRun, readingOptionsSchema, seedInt, type OptionNaming, type ReadingOptions } from './options.js';
import { callbackOption, trueOrFalse } from '../kg/load-options.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateOptions {
  split?: 'valid' | 'test';
  /** The dataset (default: the one the run was trained on, loaded the same way). */
  dataset?: string;
  /** Evaluate the last checkpoint instead of the best. */
  last?: boolean;
  backend?: BackendRequest;
  onProgress?: (done: number, total: number) => void;
  /**
   * Rank against the gold answer and this many fixed filtered candidates per query instead of all entities
   * (OGB-style); default the run's own (`--eval-candidates` of its training, else all entities); 0: all entities.
   */
  candidates?: number;
  /** Seed of the sampled candidates (default the run's own, else 0). */
  candidateSeed?: number;
  /** How to read the triple files (`delimiter`, `columns`, `header`, `encoding`, `unseen`), each default the run's own. */
  reading?: ReadingOptions;
  /** How errors name the reading options: `key` (code, the default) or `flag` (the command line). */
  naming?: OptionNaming;
  /** Told what evaluating falls back to when the run's config.json is damaged (the CLI writes it to stderr). */
  onNotice?: (message: string) => void;
  /** Also break the filtered metrics down per relation (`byRelation` of the result; a full ranking only). */
  byRelation?: boolean;
}

/** How a run is opened, for evaluate and openModel alike: its last checkpoint or best, the backend, where notices go. */
export const runOpeningOptions = {
  last: trueOrFalse,
  backend: z.enum(BACKEND_CHOICES as [BackendRequest, ...BackendRequest[]], { error: `must be one of ${BACKEND_CHOICES.join(', ')}` }),
  onNotice: callbackOption,
};

/** What each key of EvaluateOptions accepts (checked before the run is read; a typo such as `splt` is an error). */
const evaluateOptionsSchema = z.object({
  split: z.enum(['valid', 'test'], { error: 'must be valid or test' }),
  dataset: dataOptions.dataset,
  ...runOpeningOptions,
  onProgress: callbackOption,
  candidates: nonNegativeInt,
  candidateSeed: seedInt,
  reading: z.object({}).loose(), // checked key by key against readingOptionsSchema, next
  naming: z.enum(['key', 'flag'], { error: 'must be key or flag' }),
  byRelation: trueOrFalse,
}).partial().strict();

/** The reading options that only a run's config.json records (the checkpoint records the dataset and `unseen`). */
const READING_KEYS = ['delimiter', 'columns', 'header', 'encoding'] as const;

export type { EvaluateResult } from './public-results.js';

/** A run's checkpoint with the data of its dataset, read as the run read it (its config's reading options, overridable). */
export interface RunWithData {
  run: LoadedRun;
  dataset: KgDataset;
  data: RunData;
  /** The options the run was trained with (its config.json, else the checkpoint's copy; {} when neither is readable). */
  recorded: Record<string, unknown>;
}

/** Loads a run directory's checkpoint (best, or `last`) and its dataset (or `options.dataset`), with the same vocabulary. */
export async function loadRunWithData(runDir: string, options: Pick<EvaluateOptions, 'dataset' | 'last' | 'reading' | 'onNotice' | 'naming'> = {}): Promise<RunWithData> {
  const given = parseOptions(readingOptionsSchema, options.reading ?? {}, 'key', 'reading'); // before the run is read
  const run = await loadRun(path.resolve(runDir), options.last ? 'last' : undefined, options.onNotice);
  noteIfStillTraining(run, options.onNotice);
  const unseen: UnseenPolicy = given.unseen ?? run.header.dataset.unseen ?? 'drop';
  // config.json, else the checkpoint's copy of it; a damaged one without a copy: `saved` (then `given` overrides)
  const runConfig = findRunConfig(path.dirname(run.file), run.header, run.file);
  const recorded = runConfig.config?.options ?? {};
  const found = options.dataset === undefined ? runConfig : undefined; // another dataset is read with the options given
  if (found?.note) options.onNotice?.(found.note);
  const saved = found?.damaged;
  const reading = readingOptionsOfRun({ options: { ...found?.config?.options, ...given } }, found?.source);
  const source = options.dataset ?? run.header.dataset.dir ?? run.header.dataset.name;
  // a damaged config.json only held how the files were read: the checkpoint records the dataset, its vocabulary and --unseen
  const defaulted = READING_KEYS.filter((key) => given[key] === undefined).map((key) => `--${key}`);
  const readWith = defaulted.length > 0 ? `the default ${defaulted.join(', ')}` : 'the reading options given';
  if (saved?.damage !== undefined) {
    options.onNotice?.(`${saved.file} is damaged (${saved.damage}): going on from the checkpoint ${run.file} alone, with the dataset it records (${source}) read with ${readWith}${defaulted.length > 0 ? ' (give the run\'s own if it read its files otherwise)' : ''}`);
  }
  try {
    const dataset = await loadDataset(source, { ...reading, unseen }).catch((error: unknown) => { throw readerErrorNamed(error, options.naming); });
    const data = runDataFromDataset(dataset);
    try {
      requireSameVocabulary(run.file, run.header.vocab, data);
    } catch (error) {
      // another policy than the run's reads other entities: the checkpoint can only be evaluated with its vocabulary's
      const recordedUnseen = run.header.dataset.unseen;
      if (given.unseen === undefined || recordedUnseen === undefined || given.unseen === recordedUnseen) throw error;
      const flag = options.naming === 'flag' ? '--unseen' : 'unseen';
      throw new Error(`${flag} ${given.unseen}: the run was trained with ${flag} ${recordedUnseen}, and its vocabulary is that policy's (${(error as Error).message}); evaluate it with ${flag} ${recordedUnseen}`, { cause: error });
    }
    // the run's own dataset must still hold the triples it trained with; another one given is the user's choice
    if (options.dataset === undefined) {
      const flag = options.naming === 'flag' ? '--dataset' : 'dataset';
      requireSameTriples(run.file, run.header.dataset.triples, data, dataset.report.files, `train again on it, or give its directory with ${flag} to evaluate on these files knowingly`);
    }
    return { run, dataset, data, recorded };
  } catch (error) {
    if (options.dataset === undefined && error instanceof KgInputError && error.reason === DATASET_DIRECTORY_NOT_FOUND) {
      const flag = options.naming === 'flag' ? '--dataset' : 'dataset';
      // still a KgInputError (API.md: a dataset directory that cannot be read), its reason saying what to do
      throw new KgInputError(error.file, error.line, `${error.reason}: the run was trained on it; if it moved, give its directory with ${flag}`, { cause: error });
    }
    if (saved?.damage === undefined || defaulted.length === 0) throw error;
    throw new Error(`${(error as Error).message} (${saved.file} is damaged, so the files were read with ${readWith}: give the run's own, or restore config.json)`, { cause: error });
  }
}

/** Evaluates a run directory on a split (filtered, both directions, all three tie rules). */
export async function evaluateRun(runDir: string, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  parseOptions(evaluateOptionsSchema, options, 'key', 'evaluate'); // `reading` is checked key by key by loadRunWithData
  const backend = await initBackend(options.backend ?? 'auto');
  const split = options.split ?? 'test';
  const { run, dataset, data, recorded } = await loadRunWithData(runDir, options);
  try {
    if (data[split].length === 0) throw emptySplitError(dataset, split, 'there is nothing to evaluate');
    const described = { model: run.header.model.model, dim: run.header.model.dim, dataset: dataset.name, split, backend, checkpoint: path.basename(run.file, '.json'), data: dataSummary(dataset) };
    const { candidates, candidateSeed } = protocolOf(recorded, options);
    if (candidates > 0) {
      if (options.byRelation === true) {
        const flag = (key: string, as: string): string => (options.naming === 'flag' ? as : key);
        throw conflictingOptions(`${flag('byRelation', '--by-relation')} needs a ranking against all entities, and this evaluation samples ${candidates} candidates per query: give ${flag('candidates', '--eval-candidates')} 0`, ['byRelation', 'candidates'], { byRelation: true, candidates });
      }
      requireCandidates(candidates, data, options.naming === 'flag' ? '--eval-candidates' : 'candidates', [split]);
      const sampled = await evaluateSampledAsync(run.runtime, data[split], data.numRelations, data.known, { candidates, seed: candidateSeed, backend, onProgress: options.onProgress });
      return { metrics: sampledSummary(sampled) as unknown as SampledSummaryMetrics, sampled, ...described }; // the loose declaration's object is this (test/api/public-types.test.ts)
    }
    const report = await evaluateSplit(run.runtime, data, split, options.onProgress, options.byRelation === true);
    const byRelation = report.byRelation && relationBreakdown(report.byRelation, data.relationNames);
    return { metrics: evaluationSummary(report) as unknown as FullSummaryMetrics, report, ...described, ...(byRelation ? { byRelation } : {}) };
  } finally {
    run.runtime.dispose(); // its worker thread would keep the run's memory alive in a long-lived process
  }
}

/**
 * How many sampled candidates (0: all entities) and which seed an evaluation of `run` uses: the options', else the
 * run's own protocol (its training's `evalCandidates` and `evalSeed`, said in a notice: its figures were sampled).
 */
function protocolOf(recorded: Record<string, unknown>, options: EvaluateOptions): { candidates: number; candidateSeed: number | undefined } {
  const runCandidates = typeof recorded.evalCandidates === 'number' && recorded.evalCandidates > 0 ? recorded.evalCandidates : undefined;
  const runSeed = typeof recorded.evalSeed === 'number' ? recorded.evalSeed : undefined;
  const flag = options.naming === 'flag' ? '--eval-candidates' : 'candidates';
  if (options.candidates !== undefined || runCandidates === undefined) {
    const candidates = options.candidates ?? 0;
    // a seed given for a full ranking changes nothing: said, as train says it (not silently dropped)
    if (candidates === 0 && options.candidateSeed !== undefined) options.onNotice?.(unusedEvalSeedNote(options.naming === 'flag' ? '--eval-seed' : 'candidateSeed', 'evaluation ranks'));
    return { candidates, candidateSeed: options.candidateSeed };
  }
  options.onNotice?.(`ranking against ${runCandidates} sampled candidates per query, as the run was evaluated (its ${flag} ${runCandidates}); ${flag} 0 ranks against all entities`);
  return { candidates: runCandidates, candidateSeed: options.candidateSeed ?? runSeed };
}
