// MulDE's L_Senior on a hand-computed case: the top-K label of a candidate is 1 exactly when it is the query's answer
// (not its query entity). With topK = all entities every candidate is in the list, one teacher, no scaling and no
// attention, the soft labels are the teacher's scores themselves, so
//   L_Senior = mean over B·K of softplus(s) − [candidate = answer]·s
// can be computed here from the teacher's scores alone, on the tfjs path and the fused one.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';
import type { CandidateSet } from '../../src/core/candidate-scoring.js';
import type { TeacherEnsemble } from '../../src/muldE/teacher-ensemble.js';
import { MuldeObjective, type MuldeSettings } from '../../src/muldE/muldE-objective.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** The teacher's score of candidate entity j, whatever the query: 0.5·j − 1 (−1, −0.5, 0, 0.5, 1, 1.5 for 6 entities). */
const teacherScore = (j: number): number => 0.5 * j - 1;

/** One frozen "teacher" scoring candidates by id alone. */
const fakeTeachers = {
  size: 1,
  names: ['fake'],
  score: (_entities: Int32Array, _relations: Int32Array, candidates: CandidateSet): Float32Array[] => [Float32Array.from(candidates.ids, teacherScore)],
  dispose: () => undefined,
} as unknown as TeacherEnsemble;

const softplus = (x: number): number => Math.log1p(Math.exp(x));

describe("MulDE's top-K labels", () => {
  it.each(['tfjs', 'fused'] as const)('L_Senior labels the answer among the candidates, not the query entity (%s path)', async (path) => {
    const N = 6;
    const junior = await ModelRuntime.create(createModel('DistMult', { dim: 8, numEntities: N, numRelations: 1 }), 3);
    const settings: MuldeSettings = { topK: N, negatives: 4, kdWeight: 0.5, temperature: 1, seniorLearningRate: 0.01,
      mechanisms: { scaling: false, attention: false }, path };
    const objective = new MuldeObjective(junior, fakeTeachers, settings, 'wasm');
    expect(objective.scoringPath).toBe(path);
    // two queries (0, r0, ?) → 3 and (2, r0, ?) → 5: query entities and answers differ, and so do their teacher scores
    const batch = { entities: Int32Array.of(0, 2), relations: Int32Array.of(0, 0), answers: Int32Array.of(3, 5) };
    const loss = objective.gradients(batch, 1, new SeededRandom(1));
    const terms = objective.takeLossTerms()!;
    // Σ_j softplus(0.5 j − 1) over the 6 entities = 5.4692378; per query minus the answer's score: 0.5 (entity 3), 1.5 (entity 5)
    const all = Array.from({ length: N }, (_, j) => softplus(teacherScore(j))).reduce((a, b) => a + b, 0);
    expect(all).toBeCloseTo(5.4692378, 6);
    const expected = (2 * all - teacherScore(3) - teacherScore(5)) / (2 * N);
    expect(expected).toBeCloseTo(0.744873, 6); // labelled at the query entities 0 and 2 instead it would be 0.994873
    expect(terms.senior).toBeCloseTo(expected, 5);
    expect(loss).toBeCloseTo(terms.junior! + terms.senior! + 0.5 * terms.kd!, 5);
    objective.dispose();
  });
});
