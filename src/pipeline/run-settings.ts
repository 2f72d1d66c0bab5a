/**
 * A training job's settings as the trainer takes them: the sampled loss they choose (the model's own, or a named one
 * with PyKEEN's defaults), the trainer's config, and the checks that refuse settings which contradict each other
 * (a ranking margin without a ranking loss, subsampling weights without a gold-first row, a schedule that would
 * lower the rate only after early stopping) as an OptionsError (`conflictingOptions`: a usage error, exit 2). Shared by
 * `train`, `distill` and the explorer's in-page training.
 */
import { parseTrainingConfig, type TrainingConfig } from '../core/training-config.js';
import { BCE_LOSS, bySampledLoss, type SampledLoss } from '../core/losses.js';
import type { OneToNLoss } from '../core/one-to-n-step.js';
import { defaultLossOf } from '../registry/models.js';
import type { CommonSettings } from './options.js';
import type { CheckpointHeader } from '../core/checkpoint.js';
import { conflictingOptions } from './options-error.js';

/**
 * The sampled loss of a job's settings: `auto` is the model's own (registry) given the model's options (the
 * settings' for a new run, the checkpoint's when resuming), or BCE with double negatives (whose negatives are queries
 * of their own, which the ranking losses cannot compare with a positive); a loss named that is the model's own takes
 * the model's margin and temperature, another PyKEEN's defaults (nssa γ = 9, α = 1; margin ranking γ = 1).
 */
export function sampledLossOf(s: CommonSettings, model: string, modelOptions: Readonly<Record<string, unknown>> = s): SampledLoss {
  if (s.oneToN || s.loss === 'softmax') return BCE_LOSS; // 1-N training samples nothing: its loss is oneToNLoss
  const own = defaultLossOf(model, modelOptions);
  const auto = s.doubleNeg ? BCE_LOSS : own;
  // a loss named that is the model's own keeps its γ and α (RotatE's nssa γ = 3, not PyKEEN's 9)
  const base = s.loss === 'auto' ? auto : s.loss === own.loss ? own : { loss: s.loss, margin: bySampledLoss(s.loss, { nssa: () => 9, margin: () => 1, bce: () => 0 }), adversarialTemperature: 1 };
  return { loss: base.loss, margin: s.margin ?? base.margin, adversarialTemperature: s.advTemperature ?? base.adversarialTemperature };
}

/**
 * The trainer's config of a job's settings (`model` and `modelOptions`: the model the loss is chosen for;
 * `oneToNLoss`: a resumed run's recorded 1-N loss, else the settings').
 */
export function trainingConfigOf(s: CommonSettings, model: string, modelOptions: Readonly<Record<string, unknown>> = s,
  oneToNLoss: OneToNLoss = s.oneToN && s.loss === 'bce' ? 'bce' : 'softmax'): TrainingConfig {
  const loss = sampledLossOf(s, model, modelOptions);
  return parseTrainingConfig({
    epochs: s.epochs, batchSize: s.batchSize, learningRate: s.lr, optimizer: s.optimizer, negatives: s.oneToN ? 0 : s.neg,
    doubleNegatives: s.doubleNeg, sharedNegatives: s.sharedNeg, regularizer: s.reg, regularizerWeight: s.regWeight, validEvery: s.validEvery,
    patience: s.patience, seed: s.seed, path: s.path, loss: loss.loss, margin: loss.margin, adversarialTemperature: loss.adversarialTemperature,
    queryWeights: s.queryWeights, oneToNLoss, lrDecay: s.lrDecay, lrPatience: s.lrPatience,
  });
}

/**
 * Refuses, for a new run, `--margin` and `--adv-temperature` where `--loss auto` resolved to binary cross-entropy
 * (the model's own, e.g. RotH's, or with double negatives), which uses neither: they would be recorded and do nothing.
 * A named loss is checkLossSettings' to check.
 */
export function checkResolvedLoss(s: CommonSettings, loss: SampledLoss['loss'], model: string, name: (key: string) => string): void {
  if (s.loss !== 'auto' || s.oneToN || loss !== 'bce') return;
  refuseRankingLossSettings(s, name, `${name('loss')} auto (binary cross-entropy for ${model}${s.doubleNeg ? ` with ${name('doubleNeg')}` : ''}) does not use`);
}

/** Refuses `--margin` and `--adv-temperature` where no ranking loss runs; `unusedBy` ends the message ("which …"). */
export function refuseRankingLossSettings(s: CommonSettings, name: (key: string) => string, unusedBy: string): void {
  for (const key of ['margin', 'advTemperature'] as const) {
    if (s[key] !== undefined) throw conflictingOptions(`${name(key)} sets the ${key === 'margin' ? 'margin' : 'temperature'} of the nssa and margin losses, which ${unusedBy}`, [key], s);
  }
}

/**
 * The loss settings of a new run: 1-N training takes the softmax (`auto`) or binary cross-entropy and no ranking
 * margin; `softmax` is 1-N's alone; double negatives take no ranking loss.
 */
export function checkLossSettings(s: CommonSettings, name: (key: string) => string): void {
  const loss = `${name('loss')} ${s.loss}`;
  if (s.oneToN && (s.loss === 'nssa' || s.loss === 'margin')) {
    throw conflictingOptions(`${loss} ranks each gold answer against sampled negatives: with ${name('oneToN')} (every entity scored) choose ${name('loss')} auto (softmax) or bce`, ['loss', 'oneToN'], s);
  }
  if (s.oneToN) refuseRankingLossSettings(s, name, `${name('oneToN')} does not use`);
  if (!s.oneToN && s.loss === 'softmax') {
    throw conflictingOptions(`${loss} is the cross-entropy over all entities of 1-N training: add ${name('oneToN')}, or choose auto, bce, nssa or margin for sampled negatives`, ['loss', 'oneToN'], s);
  }
  if (s.loss === 'bce') refuseRankingLossSettings(s, name, `${loss} does not use`);
  if (s.loss === 'margin' && s.advTemperature !== undefined) throw conflictingOptions(`${name('advTemperature')} weighs the negatives of ${name('loss')} nssa: ${loss} has no temperature`, ['advTemperature', 'loss'], s);
  if (!s.oneToN && s.neg === 0) throw conflictingOptions(`${name('neg')} 0 samples no negatives: give ${name('oneToN')} to score every entity, or ${name('neg')} ≥ 1`, ['neg', 'oneToN'], s);
  if (s.oneToN && s.doubleNeg) throw conflictingOptions(`${name('doubleNeg')} corrupts heads and tails of sampled negatives: with ${name('oneToN')} (every entity scored) it has nothing to do`, ['doubleNeg', 'oneToN'], s);
  if (s.doubleNeg && (s.loss === 'nssa' || s.loss === 'margin')) { // else core/batch.ts's checkSampledLoss refuses it, naming no flag
    throw conflictingOptions(`${loss} compares each query with its own sampled negatives: ${name('doubleNeg')} draws negatives that are queries of their own; choose ${name('loss')} auto or bce with it`, ['loss', 'doubleNeg'], s);
  }
  if (s.reg === 'none' && s.regWeight > 0) throw conflictingOptions(`${name('regWeight')} ${s.regWeight} weighs a regulariser: choose one with ${name('reg')} n3 or l2`, ['regWeight', 'reg'], s);
  if (s.reg !== 'none' && s.regWeight === 0) throw conflictingOptions(`${name('reg')} ${s.reg} needs a weight: give ${name('regWeight')} > 0`, ['reg', 'regWeight'], s);
}

/**
 * The checks of a run's settings that contradict each other, new or resumed (shared negatives, query weights, the
 * learning-rate schedule: checkRunLrSchedule's `resumed`), in `train`'s order; a new run also gets checkLossSettings.
 */
export function checkRunSettings(s: CommonSettings, name: (key: string) => string, resumed?: { header: CheckpointHeader; changedKeys: readonly string[] }): void {
  checkSharedNegatives(s, name);
  checkQueryWeights(s, name);
  checkRunLrSchedule(s, name, resumed);
}

/** Subsampling weights weigh each query's gold-first row of sampled scores: neither 1-N training nor double negatives has one. */
function checkQueryWeights(s: CommonSettings, name: (key: string) => string): void {
  if (s.queryWeights === 'uniform') return;
  const weights = `${name('queryWeights')} ${s.queryWeights}`;
  if (s.oneToN) throw conflictingOptions(`${weights} weighs the sampled loss of each query: it cannot be used with ${name('oneToN')} (1-N training scores all entities)`, ['queryWeights', 'oneToN'], s);
  if (s.doubleNeg) throw conflictingOptions(`${weights} weighs each query's gold-first row of candidates: it cannot be used with ${name('doubleNeg')}, whose negatives are queries of their own`, ['queryWeights', 'doubleNeg'], s);
}

/** Shared negatives replace the candidates of a chunk of queries: double negatives, which are queries of their own, cannot share them. */
function checkSharedNegatives(s: CommonSettings, name: (key: string) => string): void {
  if (s.sharedNeg > 1 && s.doubleNeg) {
    throw conflictingOptions(`${name('sharedNeg')} shares the candidates of a chunk of queries: it cannot be used with ${name('doubleNeg')}`, ['sharedNeg', 'doubleNeg'], s);
  }
}

/** The options of a plateau schedule: a resumed run is checked again when one of them changed. */
const SCHEDULE_KEYS = ['patience', 'lrDecay', 'lrPatience'];

/**
 * checkLrSchedule for a new run, or for a resumed one (its checkpoint's header and the keys the user changed) against
 * the validations it has used, when a schedule option changed: with its own options a run may reach its last patience
 * window, where it stops early before the rate is lowered again, as it would have uninterrupted.
 */
function checkRunLrSchedule(s: CommonSettings, name: (key: string) => string, resumed?: { header: CheckpointHeader; changedKeys: readonly string[] }): void {
  if (!resumed) return checkLrSchedule(s, name);
  if (!resumed.changedKeys.some((key) => SCHEDULE_KEYS.includes(key))) return;
  const progress = resumed.header.progress as { badValidations?: number; schedule?: { stale?: number } };
  const used = progress.badValidations ?? 0;
  checkLrSchedule(s, name, used, progress.schedule?.stale ?? used);
}

/**
 * A plateau schedule must lower the rate before early stopping ends the run: `used` validations without a new best
 * (a resumed run's), `stale` of them counted by its schedule since it last lowered the rate (all, when it had none).
 */
export function checkLrSchedule(s: CommonSettings, name: (key: string) => string, used = 0, stale = used): void {
  if (!(s.lrDecay < 1 && s.patience > 0)) return;
  const lowersAt = Math.max(1, s.lrPatience - stale);
  const stopsAt = s.patience - used;
  if (lowersAt < stopsAt) return;
  const lowering = `${name('lrDecay')} ${s.lrDecay} lowers the learning rate`;
  const keys = ['lrPatience', 'patience', 'lrDecay'];
  if (used === 0) throw conflictingOptions(`${name('lrPatience')} ${s.lrPatience} is not below ${name('patience')} ${s.patience}: the run would stop early before ${lowering}`, keys, s);
  // a resumed run's changed schedule: the remedy is still the command line (raise --patience)
  throw conflictingOptions(`the run has had ${used} validations without a new best: with ${name('patience')} ${s.patience} it would stop early before ${lowering}; raise ${name('patience')} (0: never stop early)`, keys, s);
}
