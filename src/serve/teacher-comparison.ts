/**
 * A distilled student beside its teachers on one query: each model's top answers for (head, relation, ?) or
 * (?, relation, tail), and where each puts the gold answer (filtered and raw rank; by default the query's first
 * known-true answer) — what the student learnt and where it still differs. Teachers the service does not serve
 * are opened on first use (in the background: a comparison asked while one is still opening says so for that
 * teacher, and the page asks again).
 */
import { CheckpointLookup, type EntityRef, type PredictResult } from '../lookup/checkpoint-lookup.js';
import { goldRank, type GoldRank } from '../lookup/gold-rank.js';
import { LookupError } from '../lookup/errors.js';
import type { TeacherRef } from './run-facts.js';
import { runReadingOptions } from '../pipeline/options.js';

/** One model's side of a comparison. */
export interface ComparedModel {
  name: string;
  role: 'student' | 'teacher';
  status: 'ready' | 'loading' | 'missing' | 'failed';
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

type Slot = { promise: Promise<CheckpointLookup>; lookup?: CheckpointLookup; error?: string };

/** How long a comparison waits for a teacher that is still opening before answering without it. */
const OPEN_WAIT_MS = 1500;

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
    if (!slot.lookup && !slot.error) await Promise.race([slot.promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, OPEN_WAIT_MS))]);
    if (slot.lookup) return { lookup: slot.lookup };
    if (slot.error) return { status: 'failed', message: `teacher '${teacher.name}' could not be opened: ${slot.error}` };
    return { status: 'loading', message: `teacher '${teacher.name}' is still loading on the server` };
  }

  /** Frees the opened teachers. */
  close(): void {
    for (const slot of this.slots.values()) slot.lookup?.close();
    this.slots.clear();
  }

  private slot(dir: string): Slot {
    let slot = this.slots.get(dir);
    if (!slot) {
      const created: Slot = { promise: CheckpointLookup.open(dir, { indexMode: 'background', reading: runReadingOptions(dir) }) };
      created.promise.then((lookup) => { created.lookup = lookup; }, (error: Error) => { created.error = error.message; });
      this.slots.set(dir, created);
      slot = created;
    }
    return slot;
  }
}

/** One model's answers and gold rank for the resolved query. */
async function side(lookup: CheckpointLookup, role: ComparedModel['role'], name: string, given: number, relation: number, gold: number | undefined, direction: 'tails' | 'heads', k: number): Promise<ComparedModel> {
  const predicted = await lookup.predict({ [direction === 'tails' ? 'head' : 'tail']: `#${given}`, relation: `#${relation}`, k });
  const queryRelation = direction === 'tails' ? relation : relation + lookup.header.model.numRelations;
  const rank = gold === undefined ? undefined : await goldRank(lookup.runtime, lookup.known, given, queryRelation, gold);
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
      if (t.header.vocab.entities.length !== student.header.vocab.entities.length) {
        models.push({ name: teacher.name, role: 'teacher', status: 'failed', message: `teacher '${teacher.name}' has another vocabulary than the student` });
      } else {
        models.push(await side(t, 'teacher', teacher.name, given, relation, gold, direction, query.k));
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
