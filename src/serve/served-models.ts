/** The models a service answers for (server.ts): the runs loaded so far, and the names still loading. */
import { runDirsToHide } from './hide-paths.js';
import type { CheckpointLookup } from '../lookup/checkpoint-lookup.js';

/** The models a service answers for: loaded ones, and the names still loading. */
export class ServedModels {
  private readonly byName = new Map<string, CheckpointLookup>();
  /** Set when loading failed (the service then stays unready). */
  failure?: string;

  constructor(readonly expected: readonly string[]) {}

  /** Makes a loaded model available. */
  add(lookup: CheckpointLookup): void {
    this.byName.set(lookup.name, lookup);
  }

  get(name: string): CheckpointLookup | undefined {
    return this.byName.get(name);
  }

  loaded(): CheckpointLookup[] {
    return [...this.byName.values()];
  }

  /** Directories that answers must not show: the runs', their parents', their datasets', the working directory. */
  privateDirs(): string[] {
    const dirs = [process.cwd()];
    for (const lookup of this.byName.values()) dirs.push(...runDirsToHide(lookup.runDir, lookup.header.dataset.dir));
    return dirs;
  }

  /** Every expected model is loaded and its neighbour index is in memory. */
  ready(): boolean {
    return this.failure === undefined && this.expected.every((name) => this.byName.get(name)?.indexReady === true);
  }
}
