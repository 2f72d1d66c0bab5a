/**
 * FFSD, feature fusion and self-distillation (Li et al., arXiv 2103.14473; step order, loss terms and weights after
 * the authors' released SJLeo/FFSD CIFARTrainer.py, `train_with_test`, `train_self_distillation_model` and
 * `lambda_warmup`). Per batch, with all targets taken before the updates and detached:
 * 1. each common student k: CE + λ_logit·T²·mean_{j≠k} KL(p_j ‖ p_k) (registry `dml`) + λ_div·`ffsd-diversity`
 *    between its last-stage attention and its predecessor's (k ≥ 2);
 * 2. the fusion module on the common students' last-stage maps: CE + λ_ens·T²·KL(mean of their logits ‖ fused);
 * 3. the leader: CE + λ_ens·T²·KL(p_fused ‖ p_leader) + λ_fusion·`attention`(leader's last stage, fused map)
 *    + λ_fusion·s·`attention`(leader's first stage, SD(fused map)) — deep features, transformed by the
 *    self-distillation module, teach the shallow stage; the authors weight this term by λ_fusion too
 *    (`loss_leader_self_distillation = self.lambda_fusion * ...`), s rescales it to our first stage (below);
 * 4. the self-distillation module learns to map the leader's last stage to its first:
 *    λ_sd·(`feature-mse` + `attention`) (the authors' `sd_feature_loss` and `sd_attention_loss`, both × λ_sd).
 * Warm-up, as the authors' `lambda_warmup`: only λ_div, λ_fusion and λ_sd are multiplied by exp(−5(1 − e/5)²) in
 * epochs e ≤ 5. λ_logit and λ_ens (the authors' first commit's lambda_logit/lambda_ensemble; the released code has
 * weight 1 and no option) are never warmed up.
 * Rescaling to our maps: `attention` averages the squared difference of unit-normalised maps over positions, so a
 * weight λ on an H×W map is the authors' λ·HW/(H_a·W_a). Their last stage is 8×8 (ours 4×4) and their first 32×32
 * (ours 8×8): λ_fusion = 10·16/64 = 2.5 on the last stage; on the first stage the same λ_fusion carries
 * s = (our first/last positions)/(their first/last positions) = 4/16, i.e. 10·64/1024 = 0.625; λ_sd = 1000·64/1024
 * = 62.5 (the SD module trains alone with Adam, which is nearly blind to this scale). Only the leader is kept.
 * Not ported: the leader's "trans-fusion" branch and the common students' own self-distillation.
 * Baseline: the leader's network (same initialisation and batches) trained alone with cross-entropy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { createLoss } from '../../losses/registry.js';
import { crossEntropy } from '../../losses/classification.js';
import { FusionModule, SelfDistillationModule } from '../nets/ffsd-modules.js';
import { FEATURE_TAP, type Network } from '../nets/network.js';
import { accuracy, argmaxRows, forEachBatch, imageTensor, minimizeStep } from '../training/supervised.js';
import { requireFiniteOutputs } from '../training/divergence.js';
import { IMAGE_PIXELS } from '../nets/network.js';
import type { ImageSet } from '../data/digits.js';
import { defineImageMethod } from './image-method.js';
import { disposeAll, netFor, roleSeed, studentAloneBaseline } from './building-blocks.js';

const schema = z.object({
  commonStudents: z.number().int().min(2).max(6).default(2),
  temperature: positiveFloat32().default(2),
  lambdaLogit: nonNegativeFloat32().default(1),
  lambdaEnsemble: nonNegativeFloat32().default(1),
  lambdaDiversity: nonNegativeFloat32().default(1e-5),
  /** Authors' 10 (8×8 maps) rescaled to our 4×4 last stage; also weights the leader's self-distillation term (× s). */
  lambdaFusion: nonNegativeFloat32().default(2.5),
  /** The SD module's own loss: authors' 1000 (32×32 maps) rescaled to our 8×8 first stage. */
  lambdaSelfDistillation: nonNegativeFloat32().default(62.5),
  warmupEpochs: z.number().int().nonnegative().default(5),
}).strict();

/** FFSD hyper-parameters. */
export type FfsdParams = z.infer<typeof schema>;

/** FFSD's warm-up factor exp(−5(1 − e/E)²) for epochs e ≤ E, else 1. */
export function warmup(epoch: number, epochs: number): number {
  return epochs > 0 && epoch <= epochs ? Math.exp(-5 * (1 - epoch / epochs) ** 2) : 1;
}

/** Positions of the authors' first stage over their last (CIFAR ResNet: 32×32 / 8×8). */
const AUTHORS_FIRST_OVER_LAST = (32 * 32) / (8 * 8);

/** The weight of every FFSD loss term in an epoch (authors' CIFARTrainer; see the header for the rescaling). */
export interface FfsdWeights {
  logit: number;
  diversity: number;
  fusionEnsemble: number;
  leaderEnsemble: number;
  leaderFusion: number;
  leaderSelfDistillation: number;
  selfDistillationModule: number;
}

/** FFSD's term weights at an epoch: λ_div, λ_fusion and λ_sd warmed up, the leader's SD term at λ_fusion·s. */
export function ffsdWeights(p: FfsdParams, epoch: number, firstPositions: number, lastPositions: number): FfsdWeights {
  const w = warmup(epoch, p.warmupEpochs);
  const s = firstPositions / lastPositions / AUTHORS_FIRST_OVER_LAST;
  return {
    logit: p.lambdaLogit,
    diversity: w * p.lambdaDiversity,
    fusionEnsemble: p.lambdaEnsemble,
    leaderEnsemble: p.lambdaEnsemble,
    leaderFusion: w * p.lambdaFusion,
    leaderSelfDistillation: w * p.lambdaFusion * s,
    selfDistillationModule: w * p.lambdaSelfDistillation,
  };
}

function mapShape(net: Network, stage: string): [number, number, number] {
  const shape = net.tapShapes[stage];
  if (!shape || shape.length !== 3) throw new Error(`FFSD needs convolutional feature maps (stage '${stage}' of ${net.name} is [${shape?.join(', ')}]); use --arch cnn`);
  return shape as [number, number, number];
}

/** Test accuracy of the fusion module's classifier over the common students. */
function fusedAccuracy(commons: readonly Network[], fusion: FusionModule, set: ImageSet, last: string): number {
  const logits = tf.tidy(() => {
    const x = imageTensor(set.x.subarray(0, set.n * IMAGE_PIXELS), set.n);
    return fusion.apply(commons.map((c) => c.apply(x).taps[last] as tf.Tensor4D)).logits.dataSync() as Float32Array;
  });
  requireFiniteOutputs(logits, 'the fusion module over the common students');
  const predicted = argmaxRows(logits, set.n, set.classes);
  return predicted.reduce((sum, p, i) => sum + (p === set.y[i] ? 1 : 0), 0) / set.n;
}

/** The FFSD method. */
export const ffsdMethod = defineImageMethod<FfsdParams>({
  name: 'ffsd',
  title: 'FFSD, feature fusion and self-distillation (Li et al. 2021)',
  baseline: 'leader network trained alone with cross-entropy',
  measures: "test accuracy of the leader (the only model kept); extra: the fusion module's classifier",
  defaultArch: 'cnn',
  defaultEpochs: 30,
  schema,
  requireRunnable(arch) {
    if (arch !== 'cnn') throw new Error(`--arch ${arch}: FFSD fuses convolutional feature maps, which the ${arch} network has none of; use --arch cnn (the default)`);
  },
  runBaseline: studentAloneBaseline,
  runMethod(ctx) {
    const p = ctx.params;
    const leader = netFor(ctx.arch, 'student', 'student', ctx.seed);
    const [first, last] = [leader.stages[0]!, leader.stages[leader.stages.length - 1]!];
    const lastShape = mapShape(leader, last);
    const firstShape = mapShape(leader, first);
    const commons = Array.from({ length: p.commonStudents }, (_, k) => netFor(ctx.arch, 'student', `peer${k + 2}`, ctx.seed));
    const fusion = new FusionModule(lastShape, p.commonStudents, leader.classes, leader.tapShapes[FEATURE_TAP]![0]!, roleSeed('fusion', ctx.seed));
    const selfDistillation = new SelfDistillationModule(lastShape, firstShape, roleSeed('self-distillation', ctx.seed));
    const mutual = createLoss('dml', { temperature: p.temperature, weight: p.lambdaLogit });
    const positions = (shape: readonly number[]): number => shape[0]! * shape[1]!;
    const kd = createLoss('kd', { temperature: p.temperature });
    const diversity = createLoss('ffsd-diversity', {});
    const attention = createLoss('attention', {});
    const featureMse = createLoss('feature-mse', {});
    const optimizers = [...commons, fusion, leader, selfDistillation].map(() => tf.train.adam(ctx.budget.learningRate));
    try {
      forEachBatch(ctx.train, ctx.budget, ctx.seed, (batch, epoch, step) => tf.tidy(() => {
        const w = ffsdWeights(p, epoch, positions(firstShape), positions(lastShape));
        const x = imageTensor(batch.x, batch.n);
        // Targets of this step, from the parameters before any update (outside every tape).
        const commonOut = commons.map((c) => c.apply(x));
        const commonLogits = commonOut.map((o) => o.logits);
        const commonMaps = commonOut.map((o) => o.taps[last] as tf.Tensor4D);
        const fusedNow = fusion.apply(commonMaps);
        const sdTarget = selfDistillation.apply(fusedNow.fused);
        const leaderNow = leader.apply(x);
        commons.forEach((common, k) => minimizeStep(optimizers[k]!, common.variables, () => {
          const out = common.apply(x);
          let loss = mutual({ logits: out.logits, peers: commonLogits.filter((_, j) => j !== k), labels: batch.y });
          if (k > 0 && w.diversity > 0) loss = tf.add(loss, tf.mul(w.diversity, diversity({ student: out.taps[last]!, previous: commonMaps[k - 1]! })));
          return loss;
        }, { phase: `common student ${k + 1}`, epoch, step }));
        const ensemble = tf.div(tf.addN(commonLogits), commonLogits.length) as tf.Tensor2D;
        minimizeStep(optimizers[commons.length]!, fusion.variables, () => {
          const logits = fusion.apply(commonMaps).logits;
          return tf.add(crossEntropy(logits, batch.y), tf.mul(w.fusionEnsemble, kd({ student: logits, teacher: ensemble }))) as tf.Scalar;
        }, { phase: 'the fusion module', epoch, step });
        minimizeStep(optimizers[commons.length + 1]!, leader.variables, () => {
          const out = leader.apply(x);
          return tf.addN([
            crossEntropy(out.logits, batch.y),
            tf.mul(w.leaderEnsemble, kd({ student: out.logits, teacher: fusedNow.logits })),
            tf.mul(w.leaderFusion, attention({ student: out.taps[last]!, target: fusedNow.fused })),
            tf.mul(w.leaderSelfDistillation, attention({ student: out.taps[first]!, target: sdTarget })),
          ]) as tf.Scalar;
        }, { phase: 'the leader', epoch, step });
        minimizeStep(optimizers[commons.length + 2]!, selfDistillation.variables, () => {
          const reconstructed = selfDistillation.apply(leaderNow.taps[last] as tf.Tensor4D);
          const target = leaderNow.taps[first]!;
          return tf.mul(w.selfDistillationModule, tf.add(featureMse({ student: reconstructed, target }), attention({ student: reconstructed, target }))) as tf.Scalar;
        }, { phase: 'the self-distillation module', epoch, step });
      }));
      return { accuracy: accuracy(leader, ctx.test), extra: { fused: fusedAccuracy(commons, fusion, ctx.test, last) } };
    } finally {
      disposeAll(optimizers);
      disposeAll([leader, ...commons, fusion, selfDistillation]);
    }
  },
});
