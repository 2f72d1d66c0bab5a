/**
 * A FedAvg simulation on an image set (McMahan et al. 2017, Alg. 1, as FedNTD's experiments run it, Lee et al.
 * 2022 §5): each round the server samples a fraction of the M clients, every sampled client starts from the
 * global weights and trains `localEpochs` epochs on its own data (PyTorch-style SGD with momentum, fresh each round), and the
 * server replaces the global weights by the sample-count-weighted mean of the clients' weights. The local loss
 * is cross-entropy (FedAvg) or CE + β·not-true distillation from the round's global model (FedNTD).
 */
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../core/random.js';
import { crossEntropy } from '../losses/classification.js';
import { createLoss } from '../losses/registry.js';
import { epochBatches } from '../data/batches.js';
import { selectRows } from '../data/split.js';
import type { ImageSet } from '../data/digits.js';
import { createNet, type Architecture, type NetSize } from '../nets/factory.js';
import type { Network } from '../nets/network.js';
import { accuracy, imageTensor } from '../training/supervised.js';
import { MomentumSgd } from './sgd.js';
import { dirichletSplit } from './dirichlet.js';

/** The settings of one simulation. */
export interface FederatedConfig {
  algorithm: 'fedavg' | 'fedntd';
  arch: Architecture;
  size: NetSize;
  clients: number;
  alpha: number;
  rounds: number;
  localEpochs: number;
  /** Fraction of clients sampled per round (at least one). */
  fraction: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  /** FedNTD's β and τ. */
  beta: number;
  temperature: number;
  seed: number;
}

/** Global test accuracy after every round, and the final one. */
export interface FederatedResult {
  perRound: number[];
  accuracy: number;
  clientSizes: number[];
}

/** Copies `from`'s variable values into `to` (same architecture). */
export function copyWeights(from: Network, to: Network): void {
  from.variables.forEach((v, i) => to.variables[i]!.assign(v));
}

/** The seeded clients sampled in a round: ⌈fraction·M⌉ (≥ 1) distinct clients. */
export function sampleClients(clients: number, fraction: number, rng: SeededRandom): number[] {
  const count = Math.max(1, Math.min(clients, Math.round(fraction * clients)));
  return Array.from(rng.permutation(clients).subarray(0, count)).sort((a, b) => a - b);
}

/** Runs the simulation; the global model is evaluated on `test` after every round. */
export function runFederated(train: ImageSet, test: ImageSet, config: FederatedConfig, onRound?: (round: number, acc: number) => void): FederatedResult {
  const parts = dirichletSplit(train.y, train.classes, config.clients, config.alpha, `${config.seed}:${config.alpha}`);
  const data = parts.map((ids) => selectRows(train, ids));
  const global = createNet(config.arch, config.size, `federated-global:${config.seed}`, train.classes);
  const local = createNet(config.arch, config.size, `federated-local:${config.seed}`, train.classes);
  const ntd = createLoss('ntd', { beta: config.beta, temperature: config.temperature });
  const sampler = new SeededRandom(`federated-rounds:${config.seed}`);
  const perRound: number[] = [];
  try {
    for (let round = 1; round <= config.rounds; round++) {
      const chosen = sampleClients(config.clients, config.fraction, sampler).filter((k) => data[k]!.n >= 2);
      const total = chosen.reduce((s, k) => s + data[k]!.n, 0);
      const sums: tf.Tensor[] = global.variables.map((v) => tf.zerosLike(v));
      for (const k of chosen) {
        copyWeights(global, local);
        const optimizer = new MomentumSgd(local.variables, config.learningRate, config.momentum);
        const rng = new SeededRandom(`federated-batches:${config.seed}:${round}:${k}`);
        try {
          for (let epoch = 0; epoch < config.localEpochs; epoch++) {
            for (const batch of epochBatches(data[k]!, config.batchSize, rng)) {
              tf.tidy(() => {
                const x = imageTensor(batch.x, batch.n);
                const globalLogits = config.algorithm === 'fedntd' ? global.apply(x).logits : undefined;
                optimizer.step(() => {
                  const logits = local.apply(x).logits;
                  return globalLogits ? ntd({ local: logits, global: globalLogits, labels: batch.y }) : crossEntropy(logits, batch.y);
                });
              });
            }
          }
        } finally {
          optimizer.dispose();
        }
        const weight = data[k]!.n / total;
        sums.forEach((sum, i) => {
          const next = tf.tidy(() => tf.add(sum, tf.mul(local.variables[i]!, weight)));
          sum.dispose();
          sums[i] = next;
        });
      }
      if (chosen.length > 0) global.variables.forEach((v, i) => v.assign(sums[i]!));
      sums.forEach((s) => s.dispose());
      const acc = accuracy(global, test);
      perRound.push(acc);
      onRound?.(round, acc);
    }
    return { perRound, accuracy: perRound[perRound.length - 1] ?? accuracy(global, test), clientSizes: data.map((d) => d.n) };
  } finally {
    global.dispose();
    local.dispose();
  }
}
