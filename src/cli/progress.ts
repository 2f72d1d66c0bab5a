/**
 * Progress on stderr (stdout keeps the results, also with --json): on a terminal a cli-progress bar per epoch with
 * the whole run's ETA, a bar for each validation and for the test evaluation; otherwise (logs, CI, pipes) one
 * plain line per epoch.
 */
import cliProgress from 'cli-progress';
import type { EpochRecord, TrainerEvents } from '../core/trainer.js';

/** Formats an epoch record as one line. */
export function formatEpoch(record: EpochRecord): string {
  const sampled = record.valid?.candidates !== undefined ? ` (sampled: ${record.valid.candidates} candidates)` : '';
  const valid = record.valid ? ` | valid MRR ${record.valid.mrr.toFixed(4)} H@10 ${record.valid['hits@10'].toFixed(4)}${sampled}${record.best ? ' (best)' : ''}` : '';
  const lr = record.lr !== undefined ? ` | lr ${record.lr.toPrecision(3)}` : '';
  const terms = record.terms ? ` (${Object.entries(record.terms).map(([name, value]) => `${name} ${value.toFixed(5)}`).join(', ')})` : '';
  return `epoch ${record.epoch}: loss ${record.loss.toFixed(5)}${terms} in ${record.seconds.toFixed(1)} s${valid}${lr}`;
}

/** Seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const stream = process.stderr;

/** A bar for an evaluation pass (queries ranked so far), on a terminal only; `done` reaching `total` stops it. */
function evaluationBar(label: string): (done: number, total: number) => void {
  if (!stream.isTTY) return () => undefined;
  let bar: cliProgress.SingleBar | undefined;
  return (done, total) => {
    if (!bar) {
      bar = new cliProgress.SingleBar({ stream, format: `${label} [{bar}] {value}/{total} queries | {eta_formatted}`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    }
    bar.update(done);
    if (done >= total) {
      bar.stop();
      bar = undefined;
    }
  };
}

/** A bar for reading a dataset's files (on a terminal only; a load of a few MB passes before it shows). */
export function loadProgress(label = 'loading'): (bytesRead: number, totalBytes: number) => void {
  if (!stream.isTTY) return () => undefined;
  let bar: cliProgress.SingleBar | undefined;
  const started = performance.now();
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  return (done, total) => {
    if (!bar && performance.now() - started > 500 && done < total) {
      bar = new cliProgress.SingleBar({ stream, format: `${label} [{bar}] {value}/{total} MB | {eta_formatted}`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      bar.start(mb(total), 0);
    }
    bar?.update(mb(done));
    if (bar && done >= total) {
      bar.stop();
      bar = undefined;
    }
  };
}

/** Progress of the final test evaluation. */
export function testProgress(): (done: number, total: number) => void {
  return evaluationBar('test');
}

/** Trainer events that draw progress on stderr, and `stop`, which clears the bar when a run ends or fails (not an event: hooks are checked by key). */
export function progressEvents(options: { label?: string }): { events: TrainerEvents; stop(): void } {
  const label = options.label ?? 'train';
  if (!stream.isTTY) {
    return {
      events: {
        onEpochEnd: (record) => stream.write(`[${label}] ${formatEpoch(record)}\n`),
        onValidationStart: (epoch) => stream.write(`[${label}] epoch ${epoch}: validating…\n`),
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} epoch {epoch}/{epochs} [{bar}] {value}/{total} steps | loss {loss} | run ETA {runEta}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let lossSum = 0;
  let lastEpoch = 0;
  let stepsPerEpoch = 0;
  let stepsLeftAtStart = 0;
  let stepsDone = 0;
  let started = 0;
  const runEta = (): string => (stepsDone === 0 ? '–' : formatDuration(((performance.now() - started) / 1000 / stepsDone) * (stepsLeftAtStart - stepsDone)));
  return {
    events: {
      onRunStart: (firstEpoch, epochs, steps) => {
        lastEpoch = epochs;
        stepsPerEpoch = steps;
        stepsLeftAtStart = Math.max(0, epochs - firstEpoch + 1) * steps;
        started = performance.now();
      },
      onEpochStart: (epoch, steps) => {
        lossSum = 0;
        bar.start(steps, 0, { epoch, epochs: lastEpoch, loss: '-', runEta: runEta() });
      },
      onStep: (step, steps, loss) => {
        lossSum += loss;
        stepsDone++;
        if (step % 10 === 0 || step === steps) bar.update(step, { loss: (lossSum / step).toFixed(5), runEta: runEta() });
      },
      onValidationStart: () => bar.stop(),
      onValidationProgress: evaluationBar('validation'),
      onEpochEnd: (record) => {
        bar.stop();
        stream.write(`${formatEpoch(record)}${stepsPerEpoch > 0 ? ` | run ETA ${runEta()}` : ''}\n`);
      },
    },
    stop: () => bar.stop(),
  };
}
