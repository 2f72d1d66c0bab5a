/**
 * What the explorer shows about a served run besides its model: the test metrics of `result.json`, the curves of
 * `metrics.jsonl` (loss per epoch, validation MRR where validated), and — for a MulDE student — the run
 * directories of its teachers (from result.json, else config.json; relative ones are looked for from the working
 * directory and beside the student's run). Missing files give empty facts, never an error; a result.json or
 * metrics.jsonl that cannot be read gives a note saying why (`testNote`, `curvesNote`).
 */
import { readTeacherRecord } from '../muldE/teacher-record.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readMetrics } from '../core/metrics-log.js';
import { formatIssues } from '../core/registry.js';
import { runConfigOrCheckpointCopy, type RunConfig } from '../pipeline/run-config.js';

/** Test metrics of a run (filtered, realistic ties). */
export interface TestMetrics {
  mrr: number;
  'hits@1'?: number;
  'hits@3'?: number;
  'hits@10'?: number;
  mr?: number;
}

/** One epoch of the curves. */
export interface CurvePoint {
  epoch: number;
  loss: number;
  validMrr?: number;
}

/** A teacher of a distilled run: its name (directory base name), its run directory when found, and the checkpoint the student learnt from (teachers.json). */
export interface TeacherRef {
  name: string;
  dir?: string;
  /** SHA-256 of the teacher's checkpoint binary when the student was distilled (absent for runs made before teachers.json). */
  sha256?: string;
}

/** The facts of one run directory. */
/** Why a finished run has no test figures, and the command that gives them. */
export interface TestSkipped {
  reason: string;
  evalCommand?: string;
}

/** The facts of a run. */
export interface RunFacts {
  command?: 'train' | 'distill';
  test?: TestMetrics;
  /** Why the run's latest finish has no test figures (result.json's testSkipped), when it has none. */
  testSkipped?: TestSkipped;
  /** Why there are no test figures although the run has a result.json (damaged, foreign, or of another format or version); names no directory. */
  testNote?: string;
  curves: CurvePoint[];
  /** Why there are no curves although the run has a metrics.jsonl (unreadable: damaged, or a newer format). */
  curvesNote?: string;
  teachers: TeacherRef[];
  /** Training settings worth showing (epochs, learning rate, optimiser, …; MulDE's top-K and KD weight). */
  settings: Record<string, string | number | boolean>;
}

/** Most epochs of a curve sent to a page. */
const MAX_CURVE_POINTS = 5000;

/** result.json's format and version, as `writeResult` (pipeline/run-result.ts) writes them. */
const RESULT_FORMAT = 'kgdistill-result';
const RESULT_VERSION = 1;

const resultSchema = z.object({
  format: z.literal(RESULT_FORMAT), version: z.literal(RESULT_VERSION),
  mrr: z.number().optional(), 'hits@1': z.number().optional(), 'hits@3': z.number().optional(), 'hits@10': z.number().optional(), mr: z.number().optional(),
  teachers: z.array(z.string()).optional(),
  testSkipped: z.object({ reason: z.string(), evalCommand: z.string().optional() }).optional(),
}).passthrough();
const epochSchema = z.object({ epoch: z.number(), loss: z.number(), valid: z.object({ mrr: z.number() }).passthrough().optional() }).passthrough();

const SHOWN_SETTINGS = ['epochs', 'batchSize', 'lr', 'optimizer', 'neg', 'doubleNeg', 'seed', 'student', 'topK', 'kdWeight', 'refreshEvery', 'temperature'];

/**
 * The run's result.json: its content, nothing when there is none, or a note (naming the file, not its directory,
 * which a page must not see) saying why it cannot be used: damaged, not a kgdistill result, another format or version.
 */
function readResult(runDir: string): { result?: z.output<typeof resultSchema>; note?: string } {
  const file = path.join(runDir, 'result.json');
  if (!existsSync(file)) return {};
  const note = (why: string) => ({ note: `no test figures: the run's result.json ${why}` });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return note(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch { // the parser's message may quote the file, which may name directories
    const kept = text.replace(/[\s\0]+$/, '');
    return note(kept.length === 0 ? 'is empty' : kept.endsWith('}') ? 'is damaged: not valid JSON' : `is cut off: its JSON ends mid-way, after ${Buffer.byteLength(kept)} bytes`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return note('is damaged: not a JSON object');
  const { format, version } = json as { format?: unknown; version?: unknown };
  if (format === undefined) return note(`is not a kgdistill result: it has no format field (${RESULT_FORMAT} expected)`);
  if (format !== RESULT_FORMAT) return note(`is not a kgdistill result: its format is ${JSON.stringify(format)}, not ${RESULT_FORMAT}`);
  if (version === undefined) return note('has no version field');
  if (version !== RESULT_VERSION) return note(`is of version ${JSON.stringify(version)}; this kgdistill reads version ${RESULT_VERSION}`);
  const parsed = resultSchema.safeParse(json);
  return parsed.success ? { result: parsed.data } : note(`is damaged (${formatIssues(parsed.error)})`);
}

/** The run's configuration (config.json, or the copy its checkpoint keeps), or undefined when neither can be read: facts are best effort. */
function configOf(runDir: string): RunConfig | undefined {
  try {
    return runConfigOrCheckpointCopy(runDir).config;
  } catch {
    return undefined;
  }
}

/** Whether a directory holds a run's checkpoint. */
const isRun = (dir: string): boolean => existsSync(path.join(dir, 'best.json')) || existsSync(path.join(dir, 'last.json'));

/** A teacher's run directory as recorded, looked for where it can be (undefined when found nowhere). */
function findTeacher(recorded: string, studentDir: string): string | undefined {
  const candidates = path.isAbsolute(recorded) ? [recorded] : [path.resolve(recorded), path.resolve(path.dirname(studentDir), recorded)];
  candidates.push(path.join(path.dirname(studentDir), path.basename(recorded)));
  return candidates.find(isRun);
}

/** The facts of a run directory (see the file's comment). */
export async function readRunFacts(runDir: string): Promise<RunFacts> {
  const { result, note: testNote } = readResult(runDir);
  const config = configOf(runDir);
  let curvesNote: string | undefined;
  const records = await readMetrics<{ epoch: number }>(path.join(runDir, 'metrics.jsonl')).catch((error: unknown) => {
    curvesNote = `no curves: ${(error as Error).message}`;
    return [];
  });
  const curves: CurvePoint[] = [];
  for (const record of records.slice(-MAX_CURVE_POINTS)) {
    const parsed = epochSchema.safeParse(record);
    if (parsed.success) curves.push({ epoch: parsed.data.epoch, loss: parsed.data.loss, ...(parsed.data.valid ? { validMrr: parsed.data.valid.mrr } : {}) });
  }
  const recorded = result?.teachers ?? (Array.isArray(config?.options.teachers) ? (config.options.teachers as unknown[]).filter((t): t is string => typeof t === 'string') : []);
  const fingerprints = readTeacherRecord(runDir);
  const teachers = recorded.map((t, i) => {
    const dir = findTeacher(t, runDir);
    const sha256 = fingerprints?.length === recorded.length ? fingerprints[i]!.sha256 : undefined; // the record lists the teachers in the run's order
    return { name: path.basename(t.replace(/[/\\]+$/, '')), ...(dir ? { dir } : {}), ...(sha256 ? { sha256 } : {}) };
  });
  const settings: Record<string, string | number | boolean> = {};
  for (const key of SHOWN_SETTINGS) {
    const value = config?.options[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') settings[key] = value;
  }
  // the learning rate's plateau schedule, when the run had one (a constant rate needs no mention beside lr)
  const { lrDecay, lrPatience } = config?.options ?? {};
  if (typeof lrDecay === 'number' && lrDecay < 1 && typeof lrPatience === 'number') Object.assign(settings, { lrDecay, lrPatience });
  const test = result?.mrr !== undefined ? { mrr: result.mrr, 'hits@1': result['hits@1'], 'hits@3': result['hits@3'], 'hits@10': result['hits@10'], mr: result.mr } : undefined;
  const testSkipped = !test && result?.testSkipped ? { reason: result.testSkipped.reason, ...(result.testSkipped.evalCommand ? { evalCommand: result.testSkipped.evalCommand } : {}) } : undefined;
  return { ...(config ? { command: config.command } : {}), ...(test ? { test } : {}), ...(testSkipped ? { testSkipped } : {}), ...(testNote ? { testNote } : {}), curves, ...(curvesNote ? { curvesNote } : {}), teachers, settings };
}
