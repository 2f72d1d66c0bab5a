/**
 * FedAvg's rounds (McMahan et al. 2017, Alg. 1), shared by the supervised simulation (FedAvg / FedNTD, `fedavg.ts`)
 * and the unsupervised one (FedX, `fedx/simulation.ts`): each round the server samples ⌈fraction·M⌉ of the M
 * clients (those with at least two images), every sampled client starts from the global weights and runs
 * `localEpochs` epochs of PyTorch-style momentum SGD, fresh each round, over seeded batches of its own images, and
 * the global weights become the clients' weights averaged with their sample counts as weights,
 *   w ← Σ_k (n_k / Σ_j n_j) · w_k.
 * What a local step computes is the caller's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../../../core/random.js';
import { epochBatches, type Batch } from '../data/batches.js';
import type { ImageSet } from '../data/digits.js';
import { selectRows } from '../data/split.js';
import type { Architecture, NetSize } from '../nets/factory.js';
import { dirichletSplit } from './dirichlet.js';
import { MomentumSgd } from './sgd.js';
import type { StepPlace } from '../training/divergence.js';

/** The settings every FedAvg simulation shares. */
export interface FedAvgSettings {
  arch: Architecture;
  size: NetSize;
  clients: number;
  /** Concentration of the Dirichlet(α) class split over the clients. */
  alpha: number;
  rounds: number;
  localEpochs: number;
  /** Fraction of clients sampled per round (at least one). */
  fraction: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  seed: number;
}

/** Anything with a fixed list of variables (a network, or a network with its heads). */
export interface WithVariables {
  readonly variables: readonly tf.Variable[];
}

/**
 * One local step of client `k`: its batch, its batch stream (for extra draws), the optimiser to step and where the
 * step is (round, client, local epoch, step: for the divergence guard, `optimizer.step(loss, place)`).
 */
export type LocalStep = (batch: Batch, rng: SeededRandom, optimizer: MomentumSgd, place: StepPlace) => void;

/** Copies `from`'s variable values into `to` (the same architecture). */
export function copyVariables(from: WithVariables, to: WithVariables): void {
  from.variables.forEach((v, i) => to.variables[i]!.assign(v));
}

/** The seeded clients sampled in a round: ⌈fraction·M⌉ (≥ 1) distinct clients. */
export function sampleClients(clients: number, fraction: number, rng: SeededRandom): number[] {
  const count = Math.max(1, Math.min(clients, Math.round(fraction * clients)));
  return Array.from(rng.permutation(clients).subarray(0, count)).sort((a, b) => a - b);
}

/** Each client's images: the training set split by a seeded Dirichlet(α) over classes. */
export function clientImages(train: ImageSet, settings: FedAvgSettings): ImageSet[] {
  return dirichletSplit(train.y, train.classes, settings.clients, settings.alpha, `${settings.seed}:${settings.alpha}`).map((ids) => selectRows(train, ids));
}

/**
 * Runs the rounds: `localStep(k, round)` gives client k's step of a round (called once per sampled client, before
 * its first batch); `name` seeds the round sampler (`<name>-rounds:<seed>`) and the clients' batch streams
 * (`<name>-batches:<seed>:<round>:<k>`); `afterRound` sees each round once the global weights are updated.
 */
export function runFedAvgRounds(data: readonly ImageSet[], global: WithVariables, local: WithVariables, settings: FedAvgSettings, name: string,
  localStep: (client: number, round: number) => LocalStep, afterRound: (round: number) => void): void {
  const sampler = new SeededRandom(`${name}-rounds:${settings.seed}`);
  for (let round = 1; round <= settings.rounds; round++) {
    const chosen = sampleClients(settings.clients, settings.fraction, sampler).filter((k) => data[k]!.n >= 2);
    const total = chosen.reduce((s, k) => s + data[k]!.n, 0);
    const sums: tf.Tensor[] = global.variables.map((v) => tf.zerosLike(v));
    try {
      for (const k of chosen) {
        copyVariables(global, local);
        const optimizer = new MomentumSgd(local.variables, settings.learningRate, settings.momentum);
        const rng = new SeededRandom(`${name}-batches:${settings.seed}:${round}:${k}`);
        const step = localStep(k, round);
        try {
          for (let epoch = 1; epoch <= settings.localEpochs; epoch++) {
            let index = 0;
            for (const batch of epochBatches(data[k]!, settings.batchSize, rng)) {
              // The clients' rate is the method's --param lr (FedNTD, FedX: their optimizerOf).
              step(batch, rng, optimizer, { phase: `client ${k + 1}/${settings.clients} in round ${round}`, unit: 'local epoch', epoch, step: ++index, rateParam: 'lr' });
            }
          }
        } finally {
          optimizer.dispose();
        }
        const weight = data[k]!.n / total;
        sums.forEach((sum, i) => {
          sums[i] = tf.tidy(() => tf.add(sum, tf.mul(local.variables[i]!, weight)));
          sum.dispose();
        });
      }
      if (chosen.length > 0) global.variables.forEach((v, i) => v.assign(sums[i]!));
    } finally {
      sums.forEach((s) => s.dispose()); // also when a client's step stops the run (the divergence guard)
    }
    afterRound(round);
  }
}
