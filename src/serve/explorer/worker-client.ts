/**
 * The page's side of the training worker (worker/train-worker.ts, served as /explorer/worker.js): requests by id,
 * progress and epochs pushed as they come, and stopping by ending the worker (a new one is started on the next
 * request; the trained model lived in the old one).
 */
import { QueryError } from './api-client.js';
import type { CurvePoint, DroppedFile, FormLabels, FromWorker, QueryMethod, ToWorker, TrainOutcome, TrainSettings } from './protocol.js';

/** Progress of a training as the worker reports it. */
export type Progress = Extract<FromWorker, { type: 'progress' }>;

/** Callbacks of a training. */
export interface TrainListener {
  progress(progress: Progress): void;
  epoch(point: CurvePoint): void;
  /** The worker has let go of the model trained before: the files and settings were read, training begins. */
  replaced?(): void;
}

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/** One training worker at a time. */
export class WorkerClient {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private listener: TrainListener | undefined;
  /** Incremented when the worker is replaced: a model source of an older generation is gone. */
  generation = 0;

  /** Trains on `files` (refusals name options by the form's `labels`); resolves with the outcome (the model then answers queries in the worker). */
  train(files: DroppedFile[], settings: TrainSettings, labels: FormLabels, listener: TrainListener): Promise<TrainOutcome> {
    let replaced = false;
    this.listener = {
      ...listener,
      progress: (progress) => {
        if (!replaced && progress.phase !== 'loading') { // the first progress after the worker read files and settings
          replaced = true;
          this.generation++; // the model of an earlier training is gone from here on
          listener.replaced?.();
        }
        listener.progress(progress);
      },
    };
    return this.request<TrainOutcome>({ type: 'train', files, settings, labels }, files.map((f) => f.bytes));
  }

  /** A query on the trained model (or on the engine: 'models', 'trainChoices'). */
  query<T>(method: QueryMethod, args: unknown[]): Promise<T> {
    return this.request<T>({ type: 'query', method, args });
  }

  /** Ends the worker (stopping a training); pending requests fail with `reason`. */
  stop(reason: string): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.generation++;
    for (const pending of this.pending.values()) pending.reject(new QueryError({ status: 499, error: 'stopped', message: reason }));
    this.pending.clear();
  }

  private request<T>(message: Omit<Extract<ToWorker, { type: 'train' }>, 'id'> | Omit<Extract<ToWorker, { type: 'query' }>, 'id'>, transfer: Transferable[] = []): Promise<T> {
    const worker = this.ensure();
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...message, id } as ToWorker, transfer);
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker('/explorer/worker.js', { name: 'kgdistill-train' });
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.stop(`the training worker failed: ${event.message || 'it could not start'}`);
    };
    this.worker = worker;
    return worker;
  }

  private receive(message: FromWorker): void {
    if (message.type === 'progress') return this.listener?.progress(message);
    if (message.type === 'epoch') return this.listener?.epoch(message.point);
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.value);
    else pending.reject(new QueryError(message.failure));
  }
}
