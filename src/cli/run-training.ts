/**
 * What `train` and `distill` share on the command line: their flags (one per option of the pipeline's schema),
 * progress on stderr (a bar with the whole run's ETA on a terminal, plain lines otherwise; also with --json), the
 * results on stdout (a table, or one JSON line with --json), and the stop signals (Ctrl-C, SIGTERM, SIGHUP): the
 * first saves the exact position in `last`, prints the command that resumes it and exits with 128 + the signal's
 * number, a second quits at once; during the final test evaluation (training over and saved) the first quits and
 * names the `eval` command that runs the test.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES } from '../core/backend.js';
import { OPTIMIZER_NAMES } from '../core/optimizers.js';
import type { EvaluationReport } from '../eval/evaluate.js';
import { flagOf } from '../pipeline/options.js';
import { hasSharedTriples, sharedTriplesText } from '../kg/dataset.js';
import { FetchInterruptedError } from '../kg/fetch-dataset.js';
import { plural } from '../kg/plural.js';
import { RESUMABLE_KEYS } from '../pipeline/run-config.js';
import { shellQuote } from '../pipeline/shell-quote.js';
import type { RunHooks } from '../pipeline/run-hooks.js';
import { bestValidText } from '../pipeline/run-texts.js';
import type { RunResult } from '../pipeline/train.js';
import { loadProgress, progressEvents, testProgress } from './progress.js';
import { formatEvaluation, formatSampled } from './report-format.js';
import { DATA_FLAGS, type FlagSpec } from './run-options.js';
import { STOP_SIGNALS } from './stop-signals.js';

/** The flags of every training command (keys of the pipeline's training options). */
export const TRAINING_FLAGS: readonly FlagSpec[] = [
  { key: 'dataset', kind: 'string', arg: '<name|dir>', description: 'dataset name (FB15k-237, WN18RR, …) or a directory with train/valid/test files' },
  ...DATA_FLAGS,
  { key: 'dim', kind: 'number', arg: '<d>', description: 'embedding dimension (real numbers per entity); any dimension trains in the fused kernels (tables not a multiple of 4 wide are stored with zero columns, and the run says so)' },
  { key: 'epochs', kind: 'number', arg: '<n>', description: 'maximum number of epochs' },
  { key: 'batchSize', kind: 'number', arg: '<n>', description: 'training queries per step' },
  { key: 'lr', kind: 'number', arg: '<rate>', description: 'learning rate' },
  { key: 'optimizer', kind: 'string', arg: '<name>', description: "optimiser, each as PyTorch's: adagrad (accumulator from 0, eps 1e-10), adam (dense: rows without a gradient still move on their moments), sparse-adam (SparseAdam: only the rows a step touches move), sgd (no momentum)", choices: OPTIMIZER_NAMES },
  { key: 'neg', kind: 'number', arg: '<n>', description: 'uniform negatives per query' },
  { key: 'oneToN', kind: 'boolean', description: 'score every query against all entities (softmax cross-entropy, or binary with --loss bce) instead of sampling negatives' },
  { key: 'doubleNeg', kind: 'boolean', description: 'negatives corrupt head and tail together (Chami et al. 2020, --double_neg)' },
  { key: 'sharedNeg', kind: 'number', arg: '<c>', description: 'chunks of c consecutive queries share one draw of negatives (PyTorch-BigGraph): faster on large graphs, but it costs MRR (c = 50, 40 epochs: FB15k-237 −0.008, WN18RR −0.096; docs/RESULTS.md)', defaultText: '1 (each query its own)' },
  { key: 'reg', kind: 'string', arg: '<name>', description: "regulariser added to the loss: w·Σ|x|³ (n3, Lacroix et al. 2018) or w·Σx² (l2) over the head, relation and gold-tail rows of a batch's queries (the model's embedding tables: not RotatE's phases, curvatures or biases), each occurrence counted, divided by the batch size (KGEmb's; complex tables by the modulus of each pair); not weight decay", choices: ['none', 'n3', 'l2'] },
  { key: 'regWeight', kind: 'number', arg: '<w>', description: 'regulariser weight w' },
  { key: 'validEvery', kind: 'number', arg: '<n>', description: 'validate (filtered MRR) and checkpoint every n epochs (last is also saved after an epoch ten minutes or more since its last save)' },
  { key: 'patience', kind: 'number', arg: '<n>', description: 'stop after n validations without improvement (0: never)' },
  { key: 'lrDecay', kind: 'number', arg: '<f>', description: "multiply the learning rate by f after --lr-patience validations without a new best validation MRR (ReduceLROnPlateau, as LibKGE's and PyKEEN's lr_scheduler; in distill the Junior's rate); a resumed run goes on at the rate it reached", defaultText: '1 (a constant rate, as Chami et al. 2020 and Wang et al. 2021 train)' },
  { key: 'lrPatience', kind: 'number', arg: '<n>', description: "validations without a new best before --lr-decay lowers the learning rate (below --patience; PyTorch's patience n − 1); each validation logs the rate the next epochs train at" },
  { key: 'seed', kind: 'number', arg: '<n>', description: 'random seed (same seed, backend and threads give the same numbers)' },
  { key: 'initScale', kind: 'number', arg: '<s>', description: "standard deviation of a normal initialisation of the embeddings (RotatE: of the entities only; its phases stay uniform in [−π, π))", defaultText: "the model's own: normal 0.001 (DistMult, ComplEx, KGEmb's hyperbolic models), uniform ±6/√d (TransE, Bordes et al.), uniform entities and phases (RotatE, Sun et al.)" },
  { key: 'norm', kind: 'number', arg: '<p>', description: "TransE and RotatE only: the norm of the distance, 1 or 2 (TransE: ‖h + r − t‖₁ or ‖·‖₂; RotatE: the sum of the complex moduli Σᵢ|(h ∘ r − t)ᵢ|, Sun et al.'s code, or ‖·‖₂ over all real coordinates)", defaultText: "the model's: TransE 1 (Bordes et al. 2013 chose L1 on FB15k; PyKEEN's default), RotatE 2; a run from before this flag stays L2" },
  { key: 'entityConstraint', kind: 'string', arg: '<c>', description: "TransE only: unit projects every entity row onto the unit L2 sphere at initialisation and after every optimiser step (Bordes et al. 2013, Algorithm 1, line 5; PyKEEN 1.10.1's TransE, entity_constrainer = functional.normalize); none leaves them free", choices: ['unit', 'none'], defaultText: "unit (with TransE's default loss it led PyKEEN's best TransE run on WN18RR, FB15k-237 and a generated graph: docs/RESULTS.md); a checkpoint from before the flag stays none" },
  { key: 'loss', kind: 'string', arg: '<name>', description: "loss of sampled training: the model's own (auto: self-adversarial for RotatE (γ = 3), DistMult and ComplEx (γ = 0), TransE (γ = 3, α = 4 on unit entities; γ = 0, α = 8 with --entity-constraint none), else binary cross-entropy; binary cross-entropy with --double-neg), bce, nssa (self-adversarial negative sampling, Sun et al. 2019), margin (margin ranking, Bordes et al. 2013); with --one-to-n: softmax (auto: cross-entropy over all entities, as Chami et al. 2020's code) or bce (binary cross-entropy against every entity, the mean over all scores, as PyKEEN's LCWA with BCE)", choices: ['auto', 'bce', 'nssa', 'margin', 'softmax'] },
  { key: 'margin', kind: 'number', arg: '<γ>', description: 'margin of the nssa and margin losses', defaultText: "the model's, else 9 (nssa) and 1 (margin), PyKEEN's defaults" },
  { key: 'advTemperature', kind: 'number', arg: '<α>', description: 'temperature of the self-adversarial weights softmax(α·s⁻)', defaultText: "the model's (TransE 4, or 8 with --entity-constraint none), else 1" },
  { key: 'queryWeights', kind: 'string', arg: '<kind>', description: "how training queries weigh in the sampled loss (any --loss): uniform, or subsampling (Sun et al. 2019: a triple (h, r, t) weighs 1/√(count(h, r) + count(t, r⁻¹)), counts of (entity, relation) queries in train plus 3 as in their code; the batch loss is Σw·ℓ/Σw; not with --one-to-n or --double-neg; in distill it weighs the Junior's hard loss, not the distillation term)", choices: ['uniform', 'subsampling'], defaultText: "uniform (every query weighs 1, as in Chami et al. 2020's code; Sun et al.'s code weighs by subsampling, which lost 0.035 MRR for RotatE d = 32 on FB15k-237 here)" },
  { key: 'backend', kind: 'string', arg: '<name>', description: 'tfjs backend', choices: BACKEND_CHOICES },
  { key: 'path', kind: 'string', arg: '<p>', description: 'sampled-scoring path (auto: fused kernels unless the backend is native)', choices: ['auto', 'fused', 'tfjs'] },
  { key: 'out', kind: 'string', arg: '<dir>', description: 'run directory (default: train runs/<dataset>-<model>-d<dim>-s<seed>; distill runs/<dataset>-mulde-<student>-d<dim>-k<top-k>-s<seed>)' },
  { key: 'testEval', kind: 'negated', description: 'skip the final evaluation on the test split, in this invocation only (a later --resume tests again unless given it again); kgdistill eval --checkpoint <run> runs it' },
  { key: 'evalCandidates', kind: 'number', arg: '<n>', description: 'validate and test each query against its gold answer and n fixed filtered candidates instead of all entities (OGB-style sampled evaluation, for large graphs; reported as such)', defaultText: 'all entities' },
  { key: 'evalSeed', kind: 'number', arg: '<n>', description: 'seed of the sampled evaluation candidates' },
];

/**
 * Adds --resume, the positive form of --no-test-eval (the same key, `testEval`, as TRAINING_FLAGS declares it: a
 * flag given as either reaches the pipeline, one given as neither takes the schema's default) and --json.
 */
export function addRunSwitches(command: Command): Command {
  const resumable = RESUMABLE_KEYS.filter((key) => key !== 'out').map(flagOf).join(', ');
  return command
    .option('--resume', `continue the run in --out from its last checkpoint (only ${resumable} may change)`)
    .addOption(new Option(flagOf('testEval'), 'run the final evaluation of the best checkpoint on the test split (the default; it overrides testEval false in a --config file)'))
    .option('--json', 'print one JSON object with the results as the last stdout line')
    .addHelpText('after', RUN_ENVIRONMENT_HELP);
}

/** The environment variables a training run reads, for the help of train and distill. */
export const RUN_ENVIRONMENT_HELP = `
Environment:
  KGDISTILL_THREADS=1       run the kernels on one thread (default: two where the machine has two cores or more;
                            the same seed gives the same numbers at the same thread count, which runs record)
  KGDISTILL_KERNELS=portable|fma
                            pin the kernel build (default: fma where it compiles; runs record it)
  KGDISTILL_DATA=<dir>      where datasets given by name are looked for first
  KGDISTILL_DATA_URL, KGDISTILL_FETCH_TIMEOUT
                            the mirror and the timeout (seconds) of datasets fetched by name`;

/** The data line of a report: what loading dropped, kept, merged or skipped. */
export function dataLine(data: RunResult['summary']['data']): string {
  const unseen = data.unseen.valid + data.unseen.test;
  const verb = data.unseenPolicy === 'drop' ? 'dropped' : 'kept';
  const dup = data.duplicates.train + data.duplicates.valid + data.duplicates.test;
  const shared = hasSharedTriples(data.overlap) ? `; ${sharedTriplesText(data.overlap)}` : '';
  return `data: ${unseen === 0 ? 'no valid/test triples with entities or relations unseen in train' : `${verb} ${data.unseen.valid} valid and ${data.unseen.test} test triples with entities or relations unseen in train (--unseen ${data.unseenPolicy})`}; ${dup} duplicate lines merged${shared}` +
    skippedText(data);
}

/** "1, 2 and 3" (or "1 and 2", or "1"). */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "; 2 test comment lines (#) skipped; header line 1 skipped in valid, test", or nothing when no line was skipped. */
function skippedText(data: RunResult['summary']['data']): string {
  const splits = ['train', 'valid', 'test'] as const;
  let text = '';
  const commented = splits.filter((split) => (data.comments?.[split] ?? 0) > 0);
  if (commented.length > 0) {
    const total = commented.reduce((sum, split) => sum + data.comments[split], 0);
    text += `; ${listed(commented.map((split) => `${data.comments[split]} ${split}`))} comment ${plural(total, 'line')} (#) skipped`;
  }
  const headed = splits.filter((split) => data.headers?.[split] !== undefined);
  if (headed.length > 0) {
    const lines = new Set(headed.map((split) => data.headers[split]!.line));
    text += lines.size === 1 ? `; header line ${[...lines][0]} skipped in ${headed.join(', ')}` : `; header lines skipped: ${headed.map((split) => `${split} line ${data.headers[split]!.line}`).join(', ')}`;
    const triples = (['valid', 'test'] as const).filter((split) => data.headerTriples?.[split] !== undefined);
    if (triples.length > 0) text += ` (in ${triples.join(' and ')} it is no recognised header and its names occur in the triples: a triple lost?)`;
  }
  return text;
}


/** Runs a training command: hooks for progress and the stop signals, then the report on stdout. */
export async function runTrainingCommand(label: string, json: boolean, run: (hooks: RunHooks) => Promise<RunResult>, resumeCommand: (runDir: string) => string): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  let stopCode: number | undefined; // 128 + the number of the signal that asked to stop, once one did
  const stopping = new AbortController();
  let testing: { runDir: string; evalCommand: string } | undefined; // once training is over and its test evaluation runs
  const onSignal = (signal: keyof typeof STOP_SIGNALS): void => {
    if (signal === 'SIGHUP') process.stderr.on('error', () => undefined); // the terminal is gone: nowhere to report to
    const code = 128 + STOP_SIGNALS[signal];
    if (testing) {
      log(`\n${signal}: training is over and saved in ${testing.runDir}; test evaluation stopped (it runs with: ${testing.evalCommand})`);
      process.exit(code);
    }
    if (stopCode !== undefined) {
      log(`${signal}: quit without saving this epoch: --resume goes on from the last checkpoint (last.json), if the run has saved one`);
      process.exit(code);
    }
    stopCode = code;
    stopping.abort(signal); // a download of the dataset stops at once; training stops after its step
    log(`\n${signal === 'SIGINT' ? '' : `${signal}: `}stopping after this step and saving the position (${signal === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} to quit without saving)`);
  };
  const handlers = Object.keys(STOP_SIGNALS).map((signal) => {
    const handler = (): void => onSignal(signal as keyof typeof STOP_SIGNALS);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const progress = progressEvents({ label });
  try {
    const onTestStart = (runDir: string, evalCommand: string): void => { testing = { runDir, evalCommand }; };
    let result: RunResult;
    try {
      result = await run({ log, events: progress.events, onTestStart, onTestProgress: testProgress(), onLoadProgress: loadProgress(), shouldStop: () => stopCode !== undefined, signal: stopping.signal, naming: 'flag' });
    } catch (error) {
      if (!(error instanceof FetchInterruptedError) || stopCode === undefined) throw error;
      progress.stop();
      log(`kgdistill: ${error.message}`); // nothing was trained or written: there is nothing to resume
      process.exitCode = stopCode;
      return;
    }
    progress.stop();
    if (result.training.interrupted) {
      log(`saved; continue with: ${resumeCommand(result.runDir)}`);
      if (json) process.stdout.write(`${JSON.stringify(result.json)}\n`);
      process.exitCode = stopCode ?? 130;
      return;
    }
    if (json) {
      process.stdout.write(`${JSON.stringify(result.json)}\n`);
      return;
    }
    const lines = [`${String(result.summary.model)} d=${String(result.summary.dim)} on ${String(result.summary.dataset)}: ${result.training.epochs} epochs${result.training.stoppedEarly ? ` (stopped early at epoch ${result.training.epochs})` : ''}, ${bestValidText(result.training)}; run dir ${result.runDir}`,
      dataLine(result.summary.data), ...result.training.warnings.map((w) => `warning: ${w}`)];
    if (result.test) lines.push(`test split, ${String(result.summary.checkpoint)} checkpoint:`, formatEvaluation(result.test as EvaluationReport));
    if (result.sampledTest) lines.push(`test split, ${String(result.summary.checkpoint)} checkpoint:`, formatSampled(result.sampledTest));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    progress.stop();
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/**
 * `kgdistill <command> --out <run> --resume` for a run directory (relative to the working directory when inside it),
 * with `--no-test-eval` when the interrupted invocation skipped the test (`testEval` false): it holds for one invocation.
 */
export function resumeCommandOf(command: string, runDir: string, testEval: unknown = true): string {
  const rel = path.relative(process.cwd(), runDir);
  return `kgdistill ${command} --out ${shellQuote(rel.startsWith('..') ? runDir : rel)} --resume${testEval === false ? ` --no-${flagOf('testEval').slice(2)}` : ''}`;
}

