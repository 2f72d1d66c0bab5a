/**
 * What ran a run: the kernel thread counts (KGDISTILL_THREADS) and kernel builds (KGDISTILL_KERNELS) of all its
 * invocations, kept in each checkpoint's training header (`threadCounts`, `kernelBuilds`). Same seed, backend and
 * thread count give the same numbers (a build may differ in the last bits), so a run resumed under another count or
 * build matches no run made with one: its log and result.json say so.
 */
import type { CheckpointHeader } from '../core/checkpoint.js';
import { kernelThreads } from '../kernels/kernel-worker.js';
import { loadedKernelBuild } from '../kernels/kernel-build.js';

/** The thread counts and kernel builds a run has trained with so far. */
export interface RunExecution {
  threadCounts: number[];
  kernelBuilds: string[];
}

/** What a checkpoint records of the invocations before (empty lists for a checkpoint from before the record). */
function recordedExecution(header: CheckpointHeader): RunExecution {
  const training = header.training as { threadCounts?: unknown; kernelBuilds?: unknown };
  const list = <T>(value: unknown, item: (x: unknown) => x is T): T[] => (Array.isArray(value) ? value.filter(item) : []);
  return {
    threadCounts: list(training.threadCounts, (x): x is number => typeof x === 'number'),
    kernelBuilds: list(training.kernelBuilds, (x): x is string => typeof x === 'string'),
  };
}

/** This process's thread count and kernel build (after the kernels loaded), added to those of `saved`'s run. */
export function runExecution(saved?: CheckpointHeader): RunExecution {
  const before = saved ? recordedExecution(saved) : { threadCounts: [], kernelBuilds: [] };
  const union = <T>(values: T[], now: T): T[] => (values.includes(now) ? values : [...values, now]);
  return { threadCounts: union(before.threadCounts, kernelThreads()), kernelBuilds: union(before.kernelBuilds, loadedKernelBuild() ?? 'portable') };
}

/** The warning for a run (resumed from `file`) that has trained under several thread counts or kernel builds, else undefined. */
export function mixedExecutionWarning(saved: CheckpointHeader, file: string): string | undefined {
  const { threadCounts, kernelBuilds } = runExecution(saved);
  const mixed: string[] = [];
  if (threadCounts.length > 1) mixed.push(`${threadCounts.join(' and then ')} threads (KGDISTILL_THREADS)`);
  if (kernelBuilds.length > 1) mixed.push(`the ${kernelBuilds.join(' and then the ')} kernels (KGDISTILL_KERNELS)`);
  if (mixed.length === 0) return undefined;
  const epoch = (saved.progress as { epoch?: number }).epoch ?? 0;
  return `${file}: this run, resumed after epoch ${epoch}, has trained with ${mixed.join(', and with ')}: it matches no run made one way (same seed, backend and thread count give the same numbers); resume a run with the thread count and kernels it started with to keep it reproducible`;
}
