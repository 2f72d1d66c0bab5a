/**
 * A distilled student beside its teachers on one query: each model's top answers for (head, relation, ?) or
 * (?, relation, tail), and where each puts the gold answer (filtered and raw rank; by default the query's first
 * known-true answer) — what the student learnt and where it still differs. Teachers the service does not serve
 * are opened on first use (in the background: a comparison asked while one is still opening says so for that
 * teacher, and the page asks again).
 */
import { CheckpointLookup, type EntityRef, type PredictResult } from '../lookup/checkpoint-lookup.js';
import type { GoldRank } from '../lookup/gold-rank.js';
import { LookupError } from '../lookup/errors.js';
import type { TeacherRef } from './run-facts.js';
import { runReadingOptions } from '../pipeline/options.js';
import { firstDifference } from '../core/training-data.js';
import { runDirsToHide } from './hide-paths.js';

/** One model's side of a comparison. */
export interface ComparedModel {
  name: string;
  role: 'student' | 'teacher';
  status: 'ready' | 'loading' | 'missing' | 'failed';
  /** Why the model answers nothing (status not ready), or — ready — a warning about its answers (a teacher changed since the distillation). */
  message?: string;
  model?: string;
  dim?: number;
  answers?: PredictResult['answers'];
  gold?: GoldRank;
}

/** A comparison: the query as resolved and every model's side. */
export interface Comparison {
  direction: 'tails' | 'heads';
  given: EntityRef;
  relation: { id: number; key: string };
  gold?: EntityRef;
  models: ComparedModel[];
}

/** What a comparison asks (names as typed; exactly one of head and tail). */
export interface ComparisonQuery {
  head?: string;
  tail?: string;
  relation: string;
  gold?: string;
  k: number;
}

type Slot = { promise: Promise<CheckpointLookup>; lookup?: CheckpointLookup; error?: string; failedAt?: number };

/** How long a comparison waits for a teacher that is still opening before answering without it. */
const OPEN_WAIT_MS = 1500;
/** A teacher that failed to open is tried again after this long (a file being replaced, a disk briefly away). */
const RETRY_FAILED_MS = 30_000;

/** Teacher runs opened for comparisons, by directory (served runs are used as they are). */
export class TeacherPool {
  private readonly slots = new Map<string, Slot>();

  /** `served()` lists the service's loaded runs (a teacher that is one of them is not opened again). */
  constructor(private readonly served: () => readonly CheckpointLookup[]) {}

  /** Starts opening the teachers found on disk (idempotent). */
  prepare(teachers: readonly TeacherRef[]): void {
    for (const teacher of teachers) if (teacher.dir) this.slot(teacher.dir);
  }

  /** A teacher's lookup, or its state when it is not usable (yet). */
  async get(teacher: TeacherRef): Promise<{ lookup: CheckpointLookup } | { status: 'loading' | 'missing' | 'failed'; message: string }> {
    if (!teacher.dir) return { status: 'missing', message: `teacher run '${teacher.name}' was not found (looked where the run recorded it and beside the student)` };
    const servedRun = this.served().find((l) => l.runDir === teacher.dir);
    if (servedRun) return { lookup: servedRun };
    const slot = this.slot(teacher.dir);
    if (!slot.lookup && !slot.error) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([slot.promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, OPEN_WAIT_MS)))]);
      clearTimeout(timer); // (a pending timer would hold this call, and the pool, for OPEN_WAIT_MS)
    }
    if (slot.lookup) return { lookup: slot.lookup };
    if (slot.error) return { status: 'failed', message: `teacher '${teacher.name}' could not be opened: ${slot.error}` };
    return { status: 'loading', message: `teacher '${teacher.name}' is still loading on the server` };
  }

  /** Directories that answers must not show: each teacher run's (absolute), its parent's, and once open its dataset's. */
  privateDirs(): string[] {
    const dirs: string[] = [];
    for (const [dir, slot] of this.slots) dirs.push(...runDirsToHide(dir, slot.lookup?.header.dataset.dir));
    return dirs;
  }

  /** Frees the opened teachers, and those still opening once they are open. */
  close(): void {
    for (const slot of this.slots.values()) {
      if (slot.lookup) slot.lookup.close();
      else slot.promise.then((lookup) => lookup.close(), () => undefined);
    }
    this.slots.clear();
  }

  private slot(dir: string): Slot {
    let slot = this.slots.get(dir);
    if (slot?.failedAt !== undefined && Date.now() - slot.failedAt >= RETRY_FAILED_MS) slot = undefined;
    if (!slot) {
      const created: Slot = { promise: CheckpointLookup.open(dir, { indexMode: 'background', reading: runReadingOptions(dir) }) };
      created.promise.then((lookup) => { created.lookup = lookup; }, (error: Error) => { created.error = error.message; created.failedAt = Date.now(); });
      this.slots.set(dir, created);
      slot = created;
    }
    return slot;
  }
}

/** Whether a teacher's vocabulary differs from the student's, by lookup pair (compared once: O(N) strings). */
const vocabularyChecks = new WeakMap<CheckpointLookup, WeakMap<CheckpointLookup, string | null>>();

/**
 * Where `teacher`'s entity or relation vocabulary differs from `student`'s (ids are sent to teachers as they are, so
 * the same count in another order would answer another query), or null when they are the same lists.
 */
export function vocabularyDifference(student: CheckpointLookup, teacher: CheckpointLookup): string | null {
  let byTeacher = vocabularyChecks.get(student);
  if (!byTeacher) vocabularyChecks.set(student, (byTeacher = new WeakMap()));
  const known = byTeacher.get(teacher);
  if (known !== undefined) return known;
  const first = (kind: 'entities' | 'relations'): string | null => {
    const a = student.header.vocab[kind], b = teacher.header.vocab[kind];
    if (a.length !== b.length) return `${a.length} ${kind} against its ${b.length}`;
    const at = firstDifference(a, b);
    return at < 0 ? null : `${kind.slice(0, -1).replace(/ie$/, 'y')} ${at} is '${a[at]}' in the student, '${b[at]}' in the teacher`;
  };
  const found = first('entities') ?? first('relations');
  byTeacher.set(teacher, found);
  return found;
}

/** One model's answers and gold rank for the resolved query. */
async function side(lookup: CheckpointLookup, role: ComparedModel['role'], name: string, given: number, relation: number, gold: number | undefined, direction: 'tails' | 'heads', k: number): Promise<ComparedModel> {
  const predicted = await lookup.predict({ [direction === 'tails' ? 'head' : 'tail']: `#${given}`, relation: `#${relation}`, k });
  const queryRelation = direction === 'tails' ? relation : relation + lookup.header.model.numRelations;
  const rank = gold === undefined ? undefined : await lookup.rankOf(given, queryRelation, gold);
  return { name, role, status: 'ready', model: lookup.header.model.model, dim: lookup.header.model.dim, answers: predicted.answers, ...(rank ? { gold: rank } : {}) };
}

/** Compares `student` with its teachers on one query (names resolved by the student's vocabulary, shared by all). */
export async function compareWithTeachers(student: CheckpointLookup, teachers: readonly TeacherRef[], pool: TeacherPool, query: ComparisonQuery): Promise<Comparison> {
  const hasHead = query.head !== undefined, hasTail = query.tail !== undefined;
  if (hasHead === hasTail) throw new LookupError('invalid', 'give exactly one of head (to compare predicted tails) and tail (to compare predicted heads)');
  const direction = hasHead ? 'tails' : 'heads';
  const given = student.entities.resolve(hasHead ? query.head : query.tail);
  const relation = student.relations.resolve(query.relation);
  // without a gold answer: the query's first known-true answer (train, valid or test), when the dataset is loaded
  const queryRelation = direction === 'tails' ? relation : relation + student.header.model.numRelations;
  const gold = query.gold === undefined ? student.known?.answers(given, queryRelation)[0] : student.entities.resolve(query.gold);
  const models: ComparedModel[] = [await side(student, 'student', student.name, given, relation, gold, direction, query.k)];
  for (const teacher of teachers) {
    const found = await pool.get(teacher);
    if ('lookup' in found) {
      const t = found.lookup;
      const differs = vocabularyDifference(student, t);
      if (differs) {
        models.push({ name: teacher.name, role: 'teacher', status: 'failed', message: `teacher '${teacher.name}' has another vocabulary than the student (${differs}): its ids are not the student's` });
      } else {
        try {
          const compared = await side(t, 'teacher', teacher.name, given, relation, gold, direction, query.k);
          const changed = teacher.sha256 !== undefined && t.header.binary.sha256 !== teacher.sha256;
          // retrained or replaced since the distillation: its answers are not those of the teacher the student learnt from
          models.push(changed ? { ...compared, message: `teacher '${teacher.name}' changed since the student learnt from it (its checkpoint had SHA-256 ${teacher.sha256!.slice(0, 12)}…, it is now ${t.header.binary.sha256.slice(0, 12)}…)` } : compared);
        } catch (error) {
          if (!(error instanceof LookupError)) throw error;
          models.push({ name: teacher.name, role: 'teacher', status: 'failed', message: `teacher '${teacher.name}': ${error.message}` });
        }
      }
    } else {
      models.push({ name: teacher.name, role: 'teacher', ...found });
    }
  }
  return {
    direction, given: student.ref(given), relation: { id: relation, key: student.relations.key(relation) },
    ...(gold === undefined ? {} : { gold: student.ref(gold) }), models,
  };
}
