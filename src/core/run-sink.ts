/**
 * Where a run's checkpoints and per-epoch metrics go: the run directory's files (file-sink.ts, the trainer's default)
 * or memory (memory-sink.ts, where there is no file system). The trainer (trainer.ts) writes through a sink only.
 */
import type { CheckpointContent } from './checkpoint.js';

/** The headline metrics of a validation; `candidates` when each answer was ranked against that many sampled ones (not all entities). */
export interface ValidationMetrics { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; mr: number; seconds: number; candidates?: number }

/** Receives a run's checkpoints and metrics lines: the run directory's files (file-sink.ts) or memory (memory-sink.ts). */
export interface RunSink {
  saveCheckpoint(stem: 'best' | 'last', content: CheckpointContent): Promise<void>;
  appendMetrics(record: EpochRecord): Promise<void>;
  /** Before the first epoch; `fresh` when the run starts from nothing (no epoch done, none interrupted). */
  open?(fresh: boolean): Promise<void>;
  /** After the run, also when it fails. */
  close?(): void;
  /** A sentence for the error of a diverged run: what it keeps to resume from (empty when nothing). */
  keptNote?(): string;
}

/** One line of metrics.jsonl. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
  steps: number;
  valid?: ValidationMetrics;
  best?: boolean;
  /** With a plateau schedule (`lrDecay` < 1): the learning rate after this validation, the one the next epochs train at. */
  lr?: number;
  /** The epoch's mean of each loss term, for an objective of several (distill: `junior`, `senior`, `kd`, the last before λ). */
  terms?: Record<string, number>;
}
