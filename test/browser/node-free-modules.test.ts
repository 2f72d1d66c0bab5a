/**
 * The engine's modules a web page runs on import no Node module, so any bundler builds them for a browser as they
 * are: each is bundled here with plain esbuild (platform browser, no plugin, stub, alias or define), which fails on
 * an import of node:fs, worker_threads, … anywhere below it. (The explorer's own build, scripts/build-explorer.mjs,
 * needs no plugin either: the engine imports tfjs-core only; see tfjs-footprint.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The modules, and what each is to a page. */
const MODULES: Record<string, string> = {
  'src/kernels/kernel-loader-browser.ts': 'fetches and compiles the kernels, and hands them to kernel-host.ts',
  'src/kernels/kernel-host.ts': 'instantiates the kernels and wraps their exports',
  'src/kernels/kernel-worker.ts': 'says how many threads the kernels run on (one without Node)',
  'src/kernels/kernels.ts': 'the kernels of the engine\'s modules (a page hands the compiled module in; the file loader takes Node at run time)',
  'src/pipeline/option-schemas.ts': 'checks a run\'s settings as `kgdistill train` does (schemas, defaults, parseOptions)',
  'src/core/trainer.ts': 'trains a model runtime into its sink (the run directory\'s files are loaded only when a run uses them)',
  'src/serve/explorer/worker/in-page-training.ts': 'trains in the page as `kgdistill train` does, in memory',
  'src/serve/explorer/worker/in-page-model.ts': 'answers predict, neighbors and score on a model trained in the page',
  'src/core/memory-sink.ts': 'keeps a run\'s checkpoints and metrics in memory',
  'src/kg/load-report.ts': 'words what reading a dataset did',
  'src/kg/bytes-dataset.ts': 'reads triple files held in memory (a dropped file) into a dataset',
  'src/kg/triple-format.ts': 'the format rules of a triple file: delimiter, header, columns, field checks',
  'src/kg/utf8.ts': 'the error for bytes that are not UTF-8, naming the line',
};

/** esbuild's errors for a plain browser bundle of `entry` (none when it builds). */
async function browserBundleErrors(entry: string): Promise<string[]> {
  try {
    await build({ entryPoints: [path.join(root, entry)], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    return [];
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string } | null }[] }).errors ?? [{ text: String(error) }];
    return errors.map((e) => `${e.location?.file ?? '?'}: ${e.text}`);
  }
}

describe('modules a page runs on', () => {
  it.each(Object.keys(MODULES))('%s bundles for a browser with no stub of a Node module', async (entry) => {
    expect(await browserBundleErrors(entry), MODULES[entry]).toEqual([]);
  });
});
