/**
 * `train` and `distill` as library calls and as the CLI runs them: options validated by the schemas of options.ts,
 * the job run by run-job.ts, result.json written. MulDE (`distill`) clamps its top-K to the number of entities and
 * says so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkModelOptions, createRunModel } from './run-model.js';
import { firstRepeatedPath } from './run-config.js';
import { leakedTriples, unfinishedTeacherWarnings } from './teacher-checks.js';
import { RepeatedTeacherError, TeacherEnsemble } from '../muldE/teacher-ensemble.js';
import { requireSameTeachers, teacherRecordFile, writeTeacherRecord } from '../muldE/teacher-record.js';
import { MuldeObjective, recordedJuniorLoss, type MuldeSettings } from '../muldE/muldE-objective.js';
import { trainingQueries } from '../core/batch.js';
import { distillOptionsSchema, parseOptions, trainOptionsSchema, type DistillOptions, type DistillSettings, type TrainOptions, type TrainSettings } from './options.js';
import { runJob, type RunOutcome, type TrainingJob } from './run-job.js';
import type { RunHooks } from './run-hooks.js';
import { conflictingOptions, refusedOption } from './options-error.js';
import { headlineOf } from './run-result.js';

/** A run's options, or — to continue the run in `out` — `resume: true` with only the options to change. */
export type RunRequest<O> = (O & { resume?: false }) | (Partial<O> & { resume: true; out: string });

/** What a finished run gives back: its directory, the test metrics (when evaluated) and the run's summary. */
export interface RunResult extends RunOutcome {
  /** The headline JSON: test metrics (filtered, realistic ties; `tieRules` has all three) and the summary. */
  json: Record<string, unknown>;
}

/** The parser of a command's options; errors name a key from a config file by where it came from (`hooks.keySources`). */
const schemaParser = <S>(schema: { safeParse: unknown }, hooks: RunHooks) => (options: Record<string, unknown>): S =>
  parseOptions(schema as never, options, hooks.naming ?? 'key', hooks.keySources ?? {}) as S;

/** Splits a request into the options and the resume switch. */
function request<O extends object>(options: RunRequest<O>): { given: Record<string, unknown>; resume: boolean } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`the options must be an object such as { dataset, out }, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const { resume, ...given } = options as Record<string, unknown>;
  if (resume !== undefined && typeof resume !== 'boolean') throw refusedOption(`resume must be true or false (got ${typeof resume === 'string' ? JSON.stringify(resume) : typeof resume === 'object' || typeof resume === 'function' ? `a ${typeof resume}` : String(resume)})`, 'resume', resume);
  return { given, resume: resume === true };
}

/** The run with its headline JSON (runJob has written result.json, under the run's lock). */
async function finish(outcome: RunOutcome): Promise<RunResult> {
  return { ...outcome, json: headlineOf(outcome) };
}

/** Trains a model on a dataset (validation, early stopping, checkpoints) and evaluates it on test. */
export async function runTrain(options: RunRequest<TrainOptions>, hooks: RunHooks = {}): Promise<RunResult> {
  const { given, resume } = request(options);
  const job: TrainingJob<TrainSettings> = {
    command: 'train',
    createModel: (s, data) => createRunModel(s.model, s, data, hooks),
    checkSettings: (s, name) => checkModelOptions(s.model, s, name), // before the dataset loads
    runName: (dataset) => `${dataset}-${String(given.model ?? 'DistMult')}-d${String(given.dim ?? 32)}-s${String(given.seed ?? 0)}`,
    modelName: (s) => s.model,
  };
  return finish(await runJob(job, given, resume, schemaParser<TrainSettings>(trainOptionsSchema, hooks), hooks));
}

/**
 * Refuses what MulDE's Junior would not use (Wang et al. 2021): it trains on its own sampled negatives, drawn per
 * query (tail-only, or head and tail together with --double-neg), without a regulariser, with a sampled loss (the
 * student's own under auto, as `train`; the ranking losses' checks are run-settings.ts checkLossSettings'); and a
 * teacher listed twice. Each is an OptionsError (`conflictingOptions`: a usage error, exit 2).
 */
function checkDistillSettings(s: DistillSettings, name: (key: string) => string): void {
  const junior = 'MulDE trains its Junior on its own sampled negatives (Wang et al. 2021)';
  if (s.oneToN) throw conflictingOptions(`${junior}: ${name('oneToN')} is not supported by distill`, ['oneToN'], s);
  if (s.sharedNeg > 1) throw conflictingOptions(`MulDE draws its Junior's negatives per query: ${name('sharedNeg')} is not supported by distill`, ['sharedNeg'], s);
  if (s.neg === 0) throw conflictingOptions(`${junior}: ${name('neg')} 0 samples none; give ${name('neg')} ≥ 1 (the authors: 255)`, ['neg'], s);
  if (s.loss === 'softmax') throw conflictingOptions(`${junior}: ${name('loss')} softmax (the cross-entropy over all entities of 1-N training) is not supported by distill; choose auto, bce, nssa or margin`, ['loss'], s);
  if (s.reg !== 'none' || s.regWeight > 0) {
    throw conflictingOptions(`${junior}, without a regulariser: ${name('reg')} and ${name('regWeight')} are not supported by distill`, ['reg', 'regWeight'], s);
  }
  const twice = firstRepeatedPath(s.teachers);
  if (twice !== undefined) throw conflictingOptions(`${name('teachers')} lists ${twice} twice: each teacher is one run directory`, ['teachers'], s);
  checkModelOptions(s.student, s, name, 'student'); // before the dataset loads
}

/** Distils trained teachers into a student with MulDE (Wang et al., WWW 2021) and evaluates it on test. */
export async function runDistill(options: RunRequest<DistillOptions>, hooks: RunHooks = {}): Promise<RunResult> {
  const { given, resume } = request(options);
  const parse = schemaParser<DistillSettings>(distillOptionsSchema, hooks);
  let muldeSettings: Omit<MuldeSettings, 'trainingQueries'> | undefined;
  let teacherDirs: string[] = [];
  let teachers: TeacherEnsemble | undefined;
  const teacherWarnings: string[] = [];
  const job: TrainingJob<DistillSettings> = {
    command: 'distill',
    createModel: (s, data) => createRunModel(s.student, s, data, hooks, 'student'),
    objective: async (s, runtime, data, backend, config) => {
      const topK = Math.min(s.topK, data.numEntities);
      if (topK < s.topK) hooks.log?.(`note: the top-K (${s.topK}) is more than the ${data.numEntities} entities: using K = ${topK}`);
      teacherDirs = s.teachers.map((dir) => path.resolve(dir));
      // `auto` resolved (the student's own); a resumed run's, what its checkpoint records (`recordedLoss`)
      const loss = { loss: config.loss, margin: config.margin, adversarialTemperature: config.adversarialTemperature };
      muldeSettings = { topK, negatives: s.neg, doubleNegatives: s.doubleNeg, loss, kdWeight: s.kdWeight, temperature: s.temperature, seniorLearningRate: s.seniorLr ?? s.lr,
        mechanisms: { scaling: s.scaling, attention: s.attention }, refreshEvery: s.refreshEvery, path: s.path };
      const warn = (warning: string): void => {
        teacherWarnings.push(warning);
        hooks.log?.(`warning: ${warning}`);
      };
      unfinishedTeacherWarnings(teacherDirs).forEach(warn);
      teachers = await TeacherEnsemble.load(teacherDirs, data, backend, (note) => warn(`teacher ${note}`)).catch((error: unknown) => {
        // a teacher given twice by a link or a copy is the usage error a path given twice is (exit 2)
        throw error instanceof RepeatedTeacherError ? Object.assign(refusedOption(error.message, 'teachers', s.teachers), { cause: error }) : error;
      });
      for (const other of teachers.otherDatasets({ dir: data.datasetDir, name: data.datasetName, triples: data.tripleFingerprints })) {
        if (other.changed) {
          warn(`teacher ${other.dir} was trained on the files of ${other.dataset} as they were before they changed (its ${other.changed} triples differ from the student's): whether its train split held the student's valid and test triples cannot be counted; if it did, the teacher leaks them into the student`);
          continue;
        }
        const trained = `teacher ${other.dir} was trained on ${other.dataset}, the student on ${data.datasetDir ?? s.dataset}`;
        const { leaked, of } = await leakedTriples(other.dir, other.dataset, data).catch(() => ({ leaked: -1, of: 0 }));
        if (leaked < 0) warn(`${trained}: its train split could not be read to count the student's valid and test triples in it; if it holds them, the teacher leaks them into the student`);
        else if (leaked > 0) warn(`${trained}: its train split holds ${leaked} of the student's ${of} valid and test triples, which the teacher leaks into the student (its test figures are not clean)`);
        else hooks.log?.(`note: ${trained}: its train split holds none of the student's valid and test triples`);
      }
      return new MuldeObjective(runtime, teachers, { ...muldeSettings, trainingQueries: trainingQueries(data.train, data.numRelations) }, backend);
    },
    beforeTraining: async (runDir, resumed, name) => { // a teacher retrained between two sessions of the student is an error
      const fingerprints = teachers!.fingerprints();
      const recorded = existsSync(teacherRecordFile(runDir));
      if (resumed && recorded) requireSameTeachers(runDir, fingerprints, name('teachers'));
      if (resumed && !recorded) {
        hooks.log?.(`note: ${teacherRecordFile(runDir)} is missing (a run made before it existed, or the file was removed): the teachers given now cannot be checked against those the student started with; it is written now from them`);
      }
      if (!resumed || !recorded) { // a new run's record replaces one an earlier attempt left
        await writeTeacherRecord(runDir, fingerprints); // an atomic write, which makes the directory
      }
    },
    describe: () => ({ method: 'MulDE', teachers: teacherDirs, ...muldeSettings }),
    warnings: () => teacherWarnings,
    modelName: (s) => s.student,
    recordedLoss: recordedJuniorLoss,
    checkSettings: checkDistillSettings,
    runName: (dataset) => `${dataset}-mulde-${String(given.student ?? 'RotH')}-d${String(given.dim ?? 32)}-k${String(given.topK ?? 500)}-s${String(given.seed ?? 0)}`,
  };
  return finish(await runJob(job, given, resume, parse, hooks));
}
