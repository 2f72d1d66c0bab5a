/**
 * Deep mutual learning (Zhang et al., CVPR 2018): K peers trained together from scratch, each on
 * L_Θk = L_Ck + 1/(K−1) Σ_{l≠k} KL(p_l ‖ p_k) (registry loss `dml`). As in the paper's Algorithm 1, peers are
 * updated in turn within a step, each against the others' current predictions. Peer 1 starts from the baseline
 * student's initialisation and sees the same batches; its accuracy is the one compared.
 * Baseline: the student trained alone with cross-entropy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { createLoss } from '../../losses/registry.js';
import { accuracy, forEachBatch, imageTensor, minimizeStep } from '../training/supervised.js';
import type { Network } from '../nets/network.js';
import { defineImageMethod } from './image-method.js';
import { disposeAll, frozenLogits, netFor, studentAloneBaseline } from './building-blocks.js';

const schema = z.object({
  peers: z.number().int().min(2).max(8).default(2),
  temperature: positiveFloat32().default(1),
  weight: nonNegativeFloat32().default(1),
}).strict();

/** DML hyper-parameters. */
export type DmlParams = z.infer<typeof schema>;

/** The DML method. */
export const dmlMethod = defineImageMethod<DmlParams>({
  name: 'dml',
  title: 'DML, deep mutual learning (Zhang et al. 2018)',
  baseline: 'student trained alone with cross-entropy',
  measures: 'test accuracy of peer 1 (same initialisation as the baseline); extra: the mean over peers',
  defaultArch: 'mlp',
  defaultEpochs: 60,
  schema,
  runBaseline: studentAloneBaseline,
  runMethod(ctx) {
    const loss = createLoss('dml', { temperature: ctx.params.temperature, weight: ctx.params.weight });
    const peers: Network[] = [netFor(ctx.arch, 'student', 'student', ctx.seed)];
    for (let k = 2; k <= ctx.params.peers; k++) peers.push(netFor(ctx.arch, 'student', `peer${k}`, ctx.seed));
    const optimizers = peers.map(() => tf.train.adam(ctx.budget.learningRate));
    try {
      forEachBatch(ctx.train, ctx.budget, ctx.seed, (batch, epoch, step) => tf.tidy(() => {
        const x = imageTensor(batch.x, batch.n);
        peers.forEach((peer, k) => tf.tidy(() => {
          const others = peers.filter((_, l) => l !== k).map((other) => frozenLogits(other, x));
          minimizeStep(optimizers[k]!, peer.variables, () => loss({ logits: peer.apply(x).logits, peers: others, labels: batch.y }), { phase: `peer ${k + 1}`, epoch, step });
        }));
      }));
      const accuracies = peers.map((peer) => accuracy(peer, ctx.test));
      return { accuracy: accuracies[0]!, extra: { peerMean: accuracies.reduce((a, b) => a + b, 0) / accuracies.length } };
    } finally {
      disposeAll(optimizers);
      disposeAll(peers);
    }
  },
});
