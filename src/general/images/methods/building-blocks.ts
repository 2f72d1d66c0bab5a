/**
 * Pieces the methods share: the seeded names of networks and batch streams (so a method's student and its
 * baseline start from the same weights and see the same batches), the common baselines, and a trained teacher.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createNet, type Architecture, type NetSize } from '../nets/factory.js';
import type { Network } from '../nets/network.js';
import { accuracy, trainWithCrossEntropy, type Budget } from '../training/supervised.js';
import type { ImageSet } from '../data/digits.js';
import type { MethodContext, RunOutcome } from './image-method.js';

/** Initialisation seed of a network role in a run (`student:3`, `peer2:3`, `teacher:3`). */
export function roleSeed(role: string, seed: number): string {
  return `${role}:${seed}`;
}

/** A network for a role, initialised from the role's seed. */
export function netFor(arch: Architecture, size: NetSize, role: string, seed: number): Network {
  return createNet(arch, size, roleSeed(role, seed));
}

/** Runs `body` with a network and disposes it afterwards. */
export function withNet<T>(net: Network, body: (net: Network) => T): T {
  try {
    return body(net);
  } finally {
    net.dispose();
  }
}

/** The baseline of the supervised methods: the student trained alone with cross-entropy, same budget and seed. */
export function studentAloneBaseline(ctx: MethodContext<unknown>): RunOutcome {
  return withNet(netFor(ctx.arch, 'student', 'student', ctx.seed), (student) => {
    trainWithCrossEntropy(student, ctx.train, ctx.budget, ctx.seed, 'the student (cross-entropy)');
    return { accuracy: accuracy(student, ctx.test) };
  });
}

/** A teacher trained with cross-entropy (its own seed and batch stream); the caller disposes it (this does, if training fails). */
export function trainTeacher(arch: Architecture, train: ImageSet, budget: Budget, seed: number): Network {
  const teacher = netFor(arch, 'teacher', 'teacher', seed);
  try {
    trainWithCrossEntropy(teacher, train, budget, roleSeed('teacher', seed), 'the teacher (cross-entropy)');
  } catch (error) {
    teacher.dispose(); // a diverged teacher: the caller never receives it
    throw error;
  }
  return teacher;
}

/** Logits of a network on a batch, outside any tape. */
export function frozenLogits(net: Network, x: tf.Tensor2D): tf.Tensor2D {
  return net.apply(x).logits;
}

/** Disposes every item (tensor-holding modules with a dispose method). */
export function disposeAll(items: readonly { dispose(): void }[]): void {
  for (const item of items) item.dispose();
}
