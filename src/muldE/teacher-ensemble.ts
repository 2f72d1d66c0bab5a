/**
 * MulDE's teachers (Wang et al., WWW 2021, §3.1): several pre-trained KGE models, loaded frozen from their run
 * directories. They are only ever asked about the K candidates the Junior picked for each query — never about all
 * entities — and answer with their raw scores f_i(h, r, e) for those candidates.
 */
import path from 'node:path';
import { loadRun, type LoadedRun } from '../registry/load-run.js';
import { requireSameVocabulary } from '../core/training-data.js';
import type { CandidateSet } from '../core/candidate-scoring.js';
import type { TeacherFingerprint } from './teacher-record.js';
import { SPLIT_NAMES, type SplitName } from '../kg/types.js';

/** One frozen teacher. */
interface Teacher {
  name: string;
  run: LoadedRun;
}

/** A set of frozen teachers that score candidates. */
/** One checkpoint given as two teachers (by a link or a copy): the caller's usage error, whatever the paths look like. */
export class RepeatedTeacherError extends Error {
  override name = 'RepeatedTeacherError';
}

export class TeacherEnsemble {
  private constructor(private readonly teachers: Teacher[], private readonly backend: string) {}

  /**
   * Loads the best checkpoint of each run directory (its last one, told to `onNotice`, when it has no best.json); all
   * must share the dataset's vocabulary, and no checkpoint may be given twice (by a link or a copy: its SHA-256).
   */
  static async load(runDirs: readonly string[], vocabulary: { entityNames: readonly string[]; relationNames: readonly string[] }, backend: string, onNotice?: (message: string) => void): Promise<TeacherEnsemble> {
    if (runDirs.length === 0) throw new Error('MulDE needs at least one teacher (--teachers <run dir,run dir,…>)');
    const teachers: Teacher[] = [];
    for (const dir of runDirs) {
      const run = await loadRun(path.resolve(dir), undefined, onNotice).catch((error: unknown) => {
        // the reader names the directory; the message says it is a teacher's (a missing one, a dataset given as one),
        // on the same error object (a CheckpointError stays one)
        if (error instanceof Error) error.message = error.message.startsWith(path.resolve(dir)) ? `teacher ${error.message}` : `teacher ${dir}: ${error.message}`;
        throw error;
      });
      requireSameVocabulary(`teacher ${dir}`, run.header.vocab, vocabulary);
      const twin = teachers.find((t) => t.run.header.binary.sha256 === run.header.binary.sha256);
      if (twin) throw new RepeatedTeacherError(`teachers ${path.dirname(twin.run.file)} and ${dir} are the same checkpoint (SHA-256 ${run.header.binary.sha256.slice(0, 12)}…): each teacher counts once`);
      const name = `${run.header.model.model}-d${run.header.model.dim}`;
      teachers.push({ name, run });
    }
    return new TeacherEnsemble(teachers, backend);
  }

  /** What each teacher is, as a student's teachers.json records it: run directory, checkpoint file, binary SHA-256. */
  fingerprints(): TeacherFingerprint[] {
    return this.teachers.map(({ run }) => ({ dir: path.dirname(run.file), checkpoint: path.basename(run.file), sha256: run.header.binary.sha256 }));
  }

  /** Number of teachers. */
  get size(): number {
    return this.teachers.length;
  }

  /** Teacher descriptions (model and dimension), in order. */
  get names(): string[] {
    return this.teachers.map((t) => t.name);
  }

  /**
   * The teachers trained on other triples than the student's dataset (`dir` where it was read, `name`, and the
   * fingerprints of its splits), each with the dataset its checkpoint records: the same vocabulary does not make the
   * same splits, and a teacher that trained on the student's valid or test triples leaks them into the student. The
   * splits' fingerprints decide where both runs record them (the same files elsewhere are the same dataset; files
   * changed in place since the teacher trained are not: `changed` names the first split that differs); else the
   * directories, else the names.
   */
  otherDatasets(student: { dir?: string; name: string; triples?: Readonly<Record<SplitName, string>> }): { dir: string; dataset: string; changed?: SplitName }[] {
    return this.teachers.flatMap(({ run }) => {
      const recorded = run.header.dataset;
      const sameDir = student.dir && recorded.dir ? path.resolve(recorded.dir) === path.resolve(student.dir) : recorded.name === student.name;
      const saved = recorded.triples;
      const changed = saved && student.triples ? SPLIT_NAMES.find((split) => saved[split] !== student.triples![split]) : undefined;
      if (saved && student.triples ? changed === undefined : sameDir) return [];
      return [{ dir: path.dirname(run.file), dataset: recorded.dir ?? recorded.name, ...(sameDir && changed ? { changed } : {}) }];
    });
  }

  /** Ends the teachers' worker threads once the distillation is over (they still score, on one thread). */
  dispose(): void {
    for (const teacher of this.teachers) teacher.run.runtime.dispose();
  }

  /** Each teacher's scores [Q × M] for the queries (entity, relation) and their candidates (no gradients). */
  score(entities: Int32Array, relations: Int32Array, candidates: CandidateSet): Float32Array[] {
    return this.teachers.map((teacher) => teacher.run.runtime.scoreCandidates(entities, relations, candidates, this.backend));
  }
}
