/**
 * Progress on stderr: a cli-progress bar per epoch on a terminal, plain lines otherwise (logs, CI, pipes).
 */
import cliProgress from 'cli-progress';
import type { EpochRecord, TrainerEvents } from '../core/trainer.js';

/** Formats an epoch record as one line. */
export function formatEpoch(record: EpochRecord): string {
  const valid = record.valid ? ` | valid MRR ${record.valid.mrr.toFixed(4)} H@10 ${record.valid['hits@10'].toFixed(4)}${record.best ? ' (best)' : ''}` : '';
  return `epoch ${record.epoch}: loss ${record.loss.toFixed(5)} in ${record.seconds.toFixed(1)} s${valid}`;
}

/** Trainer events that draw progress on stderr; `quiet` prints nothing. */
export function progressEvents(options: { quiet?: boolean; totalEpochs: number; label?: string }): TrainerEvents & { stop(): void } {
  const stream = process.stderr;
  if (options.quiet) return { stop() {} };
  const label = options.label ?? 'train';
  if (!stream.isTTY) {
    return {
      onEpochEnd: (record) => stream.write(`[${label}] ${formatEpoch(record)}\n`),
      onValidationStart: (epoch) => stream.write(`[${label}] epoch ${epoch}: validating…\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} epoch {epoch}/${options.totalEpochs} [{bar}] {value}/{total} steps | loss {loss} | {eta_formatted}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let lossSum = 0;
  return {
    onEpochStart: (epoch, steps) => {
      lossSum = 0;
      bar.start(steps, 0, { epoch, loss: '-' });
    },
    onStep: (step, _steps, loss) => {
      lossSum += loss;
      if (step % 10 === 0 || step === _steps) bar.update(step, { loss: (lossSum / step).toFixed(5) });
    },
    onValidationStart: () => bar.stop(),
    onEpochEnd: (record) => {
      bar.stop();
      stream.write(`${formatEpoch(record)}\n`);
    },
    stop: () => bar.stop(),
  };
}
