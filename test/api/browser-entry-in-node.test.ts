// `kgdistill/browser` imported in plain Node (a page's code under test, server rendering): it loads, as it did before
// the engine imported tfjs-core alone. tfjs-core's gradients file imports without file extensions, which Node's ES
// module loader refuses (ERR_MODULE_NOT_FOUND …/gradients/Abs_grad), so the entry registers the gradients in
// initEngine, by the path of where it runs, not on import. Plain node on the built package (the package's own
// `exports`, by self-reference): vitest's resolver would accept the extensionless imports and hide the failure.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('kgdistill/browser in plain Node', () => {
  it('imports, and names what it exports', () => {
    const script = "const m = await import('kgdistill/browser'); console.log(Object.keys(m).sort().join(','));";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('KgInputError,LookupError,OptionsError,datasetFromBytes,datasetFromTriples,initEngine,modelNames,train');
  });
});
