/**
 * FFSD, feature fusion and self-distillation (Li et al., arXiv 2103.14473; step order and loss terms after the
 * authors' Trainer.train_with_test). Per batch, with all targets taken before the updates and detached:
 * 1. each common student k: CE + λ_logit·T²·mean_{j≠k} KL(p_j ‖ p_k) (registry `dml`) + λ_div·`ffsd-diversity`
 *    between its last-stage attention and its predecessor's (k ≥ 2);
 * 2. the fusion module on the common students' last-stage maps: CE + λ_ens·T²·KL(mean of their logits ‖ fused);
 * 3. the leader: CE + λ_ens·T²·KL(p_fused ‖ p_leader) + λ_fusion·`attention`(leader's last stage, fused map)
 *    + λ_sd·`attention`(leader's first stage, SD(fused map)) — deep features, transformed by the
 *    self-distillation module, teach the shallow stage;
 * 4. the self-distillation module learns to map the leader's last stage to its first (`feature-mse` + `attention`).
 * Every λ is warmed up over the first 5 epochs by exp(−5(1 − e/5)²), as in the authors' code. Only the leader is
 * kept. Not ported: the leader's "trans-fusion" branch and the common students' own self-distillation.
 * Baseline: the leader's network (same initialisation and batches) trained alone with cross-entropy.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createLoss } from '../../losses/registry.js';
import { crossEntropy } from '../../losses/classification.js';
import { FusionModule, SelfDistillationModule } from '../nets/ffsd-modules.js';
import { FEATURE_TAP, type Network } from '../nets/network.js';
import { accuracy, argmaxRows, forEachBatch, imageTensor, minimizeStep } from '../training/supervised.js';
import { IMAGE_PIXELS } from '../nets/network.js';
import type { ImageSet } from '../data/digits.js';
import { defineImageMethod } from './image-method.js';
import { disposeAll, netFor, roleSeed, studentAloneBaseline } from './building-blocks.js';

const schema = z.object({
  commonStudents: z.number().int().min(2).max(6).default(2),
  temperature: z.number().positive().default(2),
  lambdaLogit: z.number().nonnegative().default(1),
  lambdaEnsemble: z.number().nonnegative().default(1),
  lambdaDiversity: z.number().nonnegative().default(1e-5),
  /** Authors' 10 (8×8 maps) rescaled to our 4×4 maps: the normalised MSE averages over positions. */
  lambdaFusion: z.number().nonnegative().default(2.5),
  /** Authors' 1000 (32×32 maps) rescaled to our 8×8 first stage. */
  lambdaSelfDistillation: z.number().nonnegative().default(64),
  warmupEpochs: z.number().int().nonnegative().default(5),
}).strict();

/** FFSD hyper-parameters. */
export type FfsdParams = z.infer<typeof schema>;

/** FFSD's warm-up factor exp(−5(1 − e/E)²) for epochs e ≤ E, else 1. */
export function warmup(epoch: number, epochs: number): number {
  return epochs > 0 && epoch <= epochs ? Math.exp(-5 * (1 - epoch / epochs) ** 2) : 1;
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
    const kd = createLoss('kd', { temperature: p.temperature });
    const diversity = createLoss('ffsd-diversity', {});
    const attention = createLoss('attention', {});
    const featureMse = createLoss('feature-mse', {});
    const optimizers = [...commons, fusion, leader, selfDistillation].map(() => tf.train.adam(ctx.budget.learningRate));
    try {
      forEachBatch(ctx.train, ctx.budget, ctx.seed, (batch, epoch) => tf.tidy(() => {
        const w = warmup(epoch, p.warmupEpochs);
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
          if (k > 0 && p.lambdaDiversity > 0) loss = tf.add(loss, tf.mul(w * p.lambdaDiversity, diversity({ student: out.taps[last]!, previous: commonMaps[k - 1]! })));
          return loss;
        }));
        const ensemble = tf.div(tf.addN(commonLogits), commonLogits.length) as tf.Tensor2D;
        minimizeStep(optimizers[commons.length]!, fusion.variables, () => {
          const logits = fusion.apply(commonMaps).logits;
          return tf.add(crossEntropy(logits, batch.y), tf.mul(w * p.lambdaEnsemble, kd({ student: logits, teacher: ensemble }))) as tf.Scalar;
        });
        minimizeStep(optimizers[commons.length + 1]!, leader.variables, () => {
          const out = leader.apply(x);
          return tf.addN([
            crossEntropy(out.logits, batch.y),
            tf.mul(w * p.lambdaEnsemble, kd({ student: out.logits, teacher: fusedNow.logits })),
            tf.mul(w * p.lambdaFusion, attention({ student: out.taps[last]!, target: fusedNow.fused })),
            tf.mul(w * p.lambdaSelfDistillation, attention({ student: out.taps[first]!, target: sdTarget })),
          ]) as tf.Scalar;
        });
        minimizeStep(optimizers[commons.length + 2]!, selfDistillation.variables, () => {
          const reconstructed = selfDistillation.apply(leaderNow.taps[last] as tf.Tensor4D);
          const target = leaderNow.taps[first]!;
          return tf.add(featureMse({ student: reconstructed, target }), attention({ student: reconstructed, target })) as tf.Scalar;
        });
      }));
      return { accuracy: accuracy(leader, ctx.test), extra: { fused: fusedAccuracy(commons, fusion, ctx.test, last) } };
    } finally {
      disposeAll(optimizers);
      disposeAll([leader, ...commons, fusion, selfDistillation]);
    }
  },
});
