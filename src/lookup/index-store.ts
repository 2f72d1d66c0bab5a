/**
 * The indexes of one checkpoint: `<run dir>/lookup/<stem>.<space id>.hnsw`, one per vector space. An index is
 * loaded when its file matches the current embeddings (fingerprint), else built and saved atomically (a stale,
 * corrupt or unreadable file is rebuilt, with a notice saying why). Concurrent requests for the same index share one build.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ModelConfig } from '../core/model.js';
import { buildHnsw, DEFAULT_BUILD, type BuildParams, type Hnsw } from './hnsw.js';
import { readIndexFile, writeIndexFile, INDEX_FORMAT, INDEX_VERSION } from './index-file.js';
import { buildSpaceData, spaceId, type EntityTable, type SpaceData, type SpaceSpec } from './vector-space.js';

/** A ready index with what it was built from. */
export interface LookupIndex {
  spec: SpaceSpec;
  id: string;
  file: string;
  hnsw: Hnsw;
  /** Dimension of the vectors hnswlib holds. */
  dim: number;
  /** `loaded` from its file, or `built` now (with the reason when a file was there but unusable). */
  origin: 'loaded' | 'built';
  reason?: string;
  buildSeconds: number;
  /** Size of the saved file in bytes (0 when saving failed). */
  fileBytes: number;
}

/** Options of an index store. */
export interface IndexStoreOptions {
  build?: BuildParams;
  /** Called with a human-readable line when an index is built, rebuilt or cannot be saved. */
  onNotice?: (message: string) => void;
}

/** The indexes of one checkpoint's entity table. */
export class IndexStore {
  private readonly ready = new Map<string, LookupIndex>();
  private readonly pending = new Map<string, Promise<LookupIndex>>();
  private readonly failed = new Map<string, string>();
  private sourceHash?: string;
  private readonly build: BuildParams;

  constructor(readonly dir: string, readonly stem: string, private readonly table: EntityTable, private readonly config: ModelConfig, private readonly options: IndexStoreOptions = {}) {
    this.build = options.build ?? DEFAULT_BUILD;
  }

  /** The file an index of `spec` lives in. */
  file(spec: SpaceSpec): string {
    return path.join(this.dir, 'lookup', `${this.stem}.${spaceId(spec)}.hnsw`);
  }

  /** SHA-256 over the format, model config, space, build parameters, entity rows and tail biases. */
  fingerprint(spec: SpaceSpec): string {
    if (!this.sourceHash) {
      const hash = createHash('sha256');
      const { rows, tailBias } = this.table;
      hash.update(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
      hash.update(tailBias ? new Uint8Array(tailBias.buffer, tailBias.byteOffset, tailBias.byteLength) : new Uint8Array(0));
      this.sourceHash = hash.digest('hex');
    }
    const described = JSON.stringify({ format: INDEX_FORMAT, version: INDEX_VERSION, model: this.config, space: spec, build: this.build, rows: [this.table.count, this.table.dim], source: this.sourceHash });
    return createHash('sha256').update(described).digest('hex');
  }

  /** The index of `spec` if it is in memory now. */
  peek(spec: SpaceSpec): LookupIndex | undefined {
    return this.ready.get(spaceId(spec));
  }

  /** Why the last build of `spec` failed, if it did. */
  failure(spec: SpaceSpec): string | undefined {
    return this.failed.get(spaceId(spec));
  }

  /** Whether a build or load of `spec` is under way. */
  isPending(spec: SpaceSpec): boolean {
    return this.pending.has(spaceId(spec));
  }

  /** The index of `spec`: from memory, from its file, or built (and saved) now. */
  get(spec: SpaceSpec): Promise<LookupIndex> {
    const id = spaceId(spec);
    const ready = this.ready.get(id);
    if (ready) return Promise.resolve(ready);
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.loadOrBuild(spec).then(
        (index) => {
          this.ready.set(id, index);
          this.failed.delete(id);
          this.pending.delete(id);
          return index;
        },
        (error: unknown) => {
          this.failed.set(id, error instanceof Error ? error.message : String(error));
          this.pending.delete(id);
          throw error;
        },
      );
      this.pending.set(id, pending);
    }
    return pending;
  }

  /** Starts loading or building `spec` without waiting (failures are kept for `failure` and reported as notices). */
  prepare(spec: SpaceSpec): void {
    if (this.ready.has(spaceId(spec)) || this.pending.has(spaceId(spec))) return;
    this.get(spec).catch((error: unknown) => this.options.onNotice?.(`index ${spaceId(spec)} failed: ${(error as Error).message}`));
  }

  /** All indexes in memory. */
  loaded(): LookupIndex[] {
    return [...this.ready.values()];
  }

  private async loadOrBuild(spec: SpaceSpec): Promise<LookupIndex> {
    const id = spaceId(spec);
    const file = this.file(spec);
    const fingerprint = this.fingerprint(spec);
    const data = buildSpaceData(spec, this.table);
    const found = await readIndexFile(file, { fingerprint, metric: data.metric, dim: data.dim, count: this.table.count });
    if (found.status === 'ok') {
      return { spec, id, file, hnsw: found.index, dim: data.dim, origin: 'loaded', buildSeconds: found.header.build.seconds, fileBytes: found.header.payload.bytes };
    }
    const reason = found.status === 'missing' ? undefined : `${found.status}: ${found.reason}`;
    this.options.onNotice?.(reason ? `rebuilding index ${file} (${reason})` : `building index ${file} (${this.table.count} entities, once)`);
    return this.buildAndSave(spec, data, file, fingerprint, reason);
  }

  private async buildAndSave(spec: SpaceSpec, data: SpaceData, file: string, fingerprint: string, reason: string | undefined): Promise<LookupIndex> {
    const started = performance.now();
    const hnsw = await buildHnsw(data, this.build);
    const seconds = (performance.now() - started) / 1000;
    let fileBytes = 0;
    try {
      const header = await writeIndexFile(file, { spaceId: spaceId(spec), space: { ...spec }, fingerprint, metric: data.metric, count: this.table.count, dim: data.dim, build: { ...this.build, seconds } }, hnsw);
      fileBytes = header.payload.bytes;
    } catch (error) {
      this.options.onNotice?.(`could not save index ${file} (${(error as Error).message}); using it from memory`);
    }
    return { spec, id: spaceId(spec), file, hnsw, dim: data.dim, origin: 'built', reason, buildSeconds: seconds, fileBytes };
  }
}
