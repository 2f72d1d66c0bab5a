/**
 * Unsupervised federated learning on the digits: FedAvg (McMahan et al. 2017, the rounds of
 * `federated/fedavg-rounds.ts`) over clients holding a seeded Dirichlet(α) split, every client training an encoder
 * f, a projection head g and a predictor h on two augmented views of its own images, labels unused. Local objectives:
 * - `fedavg` (the baseline): NT-Xent(z¹, z²), z = g(f(x)) (SimCLR eq. (1));
 * - `fedx` (Han et al. ECCV 2022, §3.2–3.3, the authors' training step): local distillation
 *   NT-Xent(z¹, z²) + L_rel(z¹, z²; anchors z^r), plus global distillation with the round's frozen global model
 *   as an extra view, NT-Xent(p¹, z_g²) + L_rel(p¹, p²; anchors z_g^r), p = h(z), where z^r / z_g^r embed a
 *   random batch of the client's data.
 * The server averages all variables weighted by client size. The global encoder is scored by a linear probe
 * (train labels, test images) after the last round, and every `probeEvery` rounds when asked.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../../../core/random.js';
import { augmentImages, type AugmentationOptions } from '../data/augment.js';
import type { ImageSet } from '../data/digits.js';
import { selectRows } from '../data/split.js';
import { clientImages, runFedAvgRounds, type FedAvgSettings, type LocalStep } from '../federated/fedavg-rounds.js';
import { ntXent } from '../../losses/contrastive.js';
import { createNet } from '../nets/factory.js';
import { Head } from '../nets/head.js';
import { FEATURE_TAP, type Network } from '../nets/network.js';
import { imageTensor } from '../training/supervised.js';
import { linearProbeAccuracy } from '../training/linear-probe.js';
import { relationalLoss } from './relational-loss.js';

/** Settings of one unsupervised federated simulation. */
export interface FedxConfig extends FedAvgSettings {
  algorithm: 'fedavg' | 'fedx';
  projection: number;
  /** NT-Xent temperature. */
  temperature: number;
  /** Relation-vector temperatures of the views and of the target mixture. */
  relTemperature: number;
  targetTemperature: number;
  augment: AugmentationOptions;
  /** Probe the global encoder every this many rounds (0: only after the last). */
  probeEvery: number;
}

/** Linear-probe accuracy of the global encoder at the probed rounds, and the final one. */
export interface FedxResult {
  probes: { round: number; accuracy: number }[];
  accuracy: number;
}

/** Encoder, projection head and predictor of one participant. */
class FedxModel {
  readonly encoder: Network;
  readonly head: Head;
  readonly predictor: Head;
  readonly variables: tf.Variable[];

  constructor(config: FedxConfig, seed: string) {
    this.encoder = createNet(config.arch, config.size, seed);
    const width = this.encoder.tapShapes[FEATURE_TAP]![0]!;
    this.head = new Head([width], { hidden: [width], out: config.projection }, `${seed}:projection`);
    this.predictor = new Head([config.projection], { hidden: [config.projection], out: config.projection }, `${seed}:predictor`);
    this.variables = [...this.encoder.variables, ...this.head.variables, ...this.predictor.variables];
  }

  /** Projections z = g(f(x)). */
  project(x: tf.Tensor2D): tf.Tensor2D {
    return this.head.apply(this.encoder.apply(x).taps[FEATURE_TAP]!);
  }

  /** Frees the variables. */
  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
    this.predictor.dispose();
  }
}

/** One local step's loss (inside the tape); the global projections are constants computed outside it. */
export function fedxLocalLoss(local: { project(x: tf.Tensor2D): tf.Tensor2D; predictor: Head }, views: { x1: tf.Tensor2D; x2: tf.Tensor2D; random: tf.Tensor2D }, global: { z2: tf.Tensor2D; random: tf.Tensor2D } | undefined, config: FedxConfig): tf.Scalar {
  const z1 = local.project(views.x1);
  const z2 = local.project(views.x2);
  let loss: tf.Tensor = ntXent(z1, z2, config.temperature);
  if (!global) return loss as tf.Scalar;
  const zr = local.project(views.random);
  loss = tf.add(loss, relationalLoss(z1, z2, zr, config.relTemperature, config.targetTemperature));
  const p1 = local.predictor.apply(z1);
  const p2 = local.predictor.apply(z2);
  loss = tf.add(loss, ntXent(p1, global.z2, config.temperature));
  loss = tf.add(loss, relationalLoss(p1, p2, global.random, config.relTemperature, config.targetTemperature));
  return loss as tf.Scalar;
}

/** Runs the simulation and probes the global encoder. */
export function runFedx(train: ImageSet, test: ImageSet, config: FedxConfig, log: (line: string) => void = () => undefined): FedxResult {
  const data = clientImages(train, config);
  const global = new FedxModel(config, `fedx-global:${config.seed}`);
  const local = new FedxModel(config, `fedx-local:${config.seed}`);
  const probes: { round: number; accuracy: number }[] = [];
  const localStep = (k: number, round: number): LocalStep => {
    const views = new SeededRandom(`fedx-views:${config.seed}:${round}:${k}`);
    const own = data[k]!;
    return (batch, rng, optimizer, place) => {
      const randomIds = Int32Array.from({ length: batch.n }, () => rng.int(own.n));
      const randomX = selectRows(own, randomIds).x;
      tf.tidy(() => {
        const x1 = imageTensor(augmentImages(batch.x, batch.n, config.augment, views), batch.n);
        const x2 = imageTensor(augmentImages(batch.x, batch.n, config.augment, views), batch.n);
        const random = imageTensor(randomX, batch.n);
        const fromGlobal = config.algorithm === 'fedx' ? { z2: global.project(x2), random: global.project(random) } : undefined;
        optimizer.step(() => fedxLocalLoss(local, { x1, x2, random }, fromGlobal, config), place);
      });
    };
  };
  try {
    runFedAvgRounds(data, global, local, config, 'fedx', localStep, (round) => {
      if (round === config.rounds || (config.probeEvery > 0 && round % config.probeEvery === 0)) {
        const accuracy = linearProbeAccuracy(global.encoder, train, test);
        probes.push({ round, accuracy });
        log(`  ${config.algorithm} round ${round}: linear probe ${accuracy.toFixed(4)}`);
      }
    });
    return { probes, accuracy: probes[probes.length - 1]!.accuracy };
  } finally {
    global.dispose();
    local.dispose();
  }
}

/** Linear-probe accuracy of a randomly initialised encoder of the same shape (the floor of the table). */
export function randomEncoderProbe(train: ImageSet, test: ImageSet, config: FedxConfig): number {
  const model = new FedxModel(config, `fedx-global:${config.seed}`);
  try {
    return linearProbeAccuracy(model.encoder, train, test);
  } finally {
    model.dispose();
  }
}
