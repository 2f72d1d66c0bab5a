/**
 * A FedAvg simulation on an image set (McMahan et al. 2017, Alg. 1, as FedNTD's experiments run it, Lee et al.
 * 2022 §5), on the rounds of `fedavg-rounds.ts`: the local loss is cross-entropy (FedAvg) or CE + β·not-true
 * distillation from the round's global model (FedNTD, §4 Eq. 5); the global model's test accuracy is measured after
 * every round.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../../losses/classification.js';
import { createLoss } from '../../losses/registry.js';
import type { ImageSet } from '../data/digits.js';
import { createNet } from '../nets/factory.js';
import { accuracy, imageTensor } from '../training/supervised.js';
import { clientImages, runFedAvgRounds, type FedAvgSettings, type LocalStep } from './fedavg-rounds.js';

/** The settings of one simulation. */
export interface FederatedConfig extends FedAvgSettings {
  algorithm: 'fedavg' | 'fedntd';
  /** FedNTD's β and τ. */
  beta: number;
  temperature: number;
}

/** Global test accuracy after every round, and the final one. */
export interface FederatedResult {
  perRound: number[];
  accuracy: number;
  clientSizes: number[];
}

/** Runs the simulation; the global model is evaluated on `test` after every round. */
export function runFederated(train: ImageSet, test: ImageSet, config: FederatedConfig, onRound?: (round: number, acc: number) => void): FederatedResult {
  const data = clientImages(train, config);
  const global = createNet(config.arch, config.size, `federated-global:${config.seed}`, train.classes);
  const local = createNet(config.arch, config.size, `federated-local:${config.seed}`, train.classes);
  const ntd = createLoss('ntd', { beta: config.beta, temperature: config.temperature });
  const step: LocalStep = (batch, _rng, optimizer, place) => tf.tidy(() => {
    const x = imageTensor(batch.x, batch.n);
    const globalLogits = config.algorithm === 'fedntd' ? global.apply(x).logits : undefined;
    optimizer.step(() => {
      const logits = local.apply(x).logits;
      return globalLogits ? ntd({ local: logits, global: globalLogits, labels: batch.y }) : crossEntropy(logits, batch.y);
    }, place);
  });
  const perRound: number[] = [];
  try {
    runFedAvgRounds(data, global, local, config, 'federated', () => step, (round) => {
      const acc = accuracy(global, test);
      perRound.push(acc);
      onRound?.(round, acc);
    });
    return { perRound, accuracy: perRound[perRound.length - 1] ?? accuracy(global, test), clientSizes: data.map((d) => d.n) };
  } finally {
    global.dispose();
    local.dispose();
  }
}
