/**
 * The general distillation module (part 1): a registry of distillation losses chosen by name, small tfjs networks
 * with named feature taps, the digits data, one runner, the methods KD, DML, DCM, FFSD, DoGo, LAD and Co-LAD, and
 * the port of DML and DoGo to knowledge-graph embeddings.
 */
export { LOSSES, createLoss, describeLosses, isLossName, lossFromChoice, lossNames, lossSpec, parseLossParams } from './losses/registry.js';
export type { LossChoice, LossInputs, LossName, LossParams } from './losses/registry.js';
export type { LossFn, LossSpec } from './losses/loss-spec.js';
export { ARCHITECTURES, createNet, describeNet } from './nets/factory.js';
export type { Architecture, NetSize } from './nets/factory.js';
export { FEATURE_TAP } from './nets/network.js';
export type { Network, NetworkOutput } from './nets/network.js';
export { Head } from './nets/head.js';
export { loadDigits } from './data/digits.js';
export type { ImageSet } from './data/digits.js';
export { stratifiedSplit } from './data/split.js';
export { augmentImages } from './data/augment.js';
export { accuracy, trainWithCrossEntropy } from './training/supervised.js';
export { linearProbeAccuracy } from './training/linear-probe.js';
export { allMethods, getMethod, methodNames } from './methods/registry.js';
export type { DistillationMethod, MethodContext, RunOutcome } from './methods/method.js';
export { runComparison } from './runner.js';
export type { ComparisonReport } from './runner.js';
export { PeerKgeObjective } from './kg/peer-objective.js';
export type { PeerMode, PeerSettings } from './kg/peer-objective.js';
export { runKgComparison, runKgPort } from './kg/peer-run.js';
