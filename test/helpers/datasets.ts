/**
 * Tests that need a real benchmark (FB15k-237, WN18RR) run when it is on this machine ($KGDISTILL_DATA, data/,
 * ../shared/data, the cache — never downloaded by a test); without it they say so in one line naming the command
 * that fetches it, and are skipped instead of failing. In this repository's CI (with ../shared) they all run.
 */
import { describe } from 'vitest';
import { resolveDatasetDir } from '../../src/kg/resolve-dataset.js';

/** Directory of a benchmark dataset found on this machine without downloading, or undefined. */
export function benchmarkDataset(name: string): string | undefined {
  try {
    return resolveDatasetDir(name).dir;
  } catch {
    return undefined;
  }
}

/** The one line a test file prints for a benchmark that is missing. */
export function missingBenchmarkLine(name: string, title: string): string {
  return `${name} is not on this machine (no ../shared/data, $KGDISTILL_DATA or cached copy): skipped "${title}"; \`kgdistill data fetch ${name}\` downloads it`;
}

/**
 * A `describe` block that runs `body(dir)` with the benchmark's directory when it is on this machine; otherwise
 * prints {@link missingBenchmarkLine} once and registers the block as skipped.
 */
export function describeWithBenchmark(name: string, title: string, body: (dir: string) => void): void {
  const dir = benchmarkDataset(name);
  if (dir !== undefined) {
    describe(title, () => body(dir));
    return;
  }
  console.warn(missingBenchmarkLine(name, title));
  describe.skip(`${title} (needs ${name}: kgdistill data fetch ${name})`, () => body(''));
}
