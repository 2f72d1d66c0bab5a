// Compiles the AssemblyScript kernels to build/kernels.wasm and build/kernels-fma.wasm: the kernel library
// (src/kernels/assembly/index.ts) and each method's own kernels (src/<folder>/assembly/*.ts outside src/kernels, e.g. MulDE's Senior head), every
// file an entry whose exports the module exports; a method's TypeScript wrapper declares and checks its exports.
// Runs at `npm run build` (and so at `npm install` through `prepare`); a no-op when no kernel sources exist yet,
// and when both files are newer than every kernel source and this script (pass --force to rebuild anyway).
// The memory is imported as a *shared* memory (threads feature) so worker threads can run kernels on the same
// tables; its maximum (65536 pages = 4 GiB) is the wasm32 limit, and the importer may declare a smaller one.
// The two files are the same sources: kernels.wasm is portable (SIMD and threads), kernels-fma.wasm also uses
// relaxed SIMD's fused multiply-add (simd.ts `madd`), which src/kernels/kernel-build.ts picks where the host has it.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'src/kernels/assembly/index.ts');
if (!existsSync(entry)) process.exit(0);
const sourceDirs = readdirSync(path.join(root, 'src'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'src', d.name, 'assembly')))
  .map((d) => path.join(root, 'src', d.name, 'assembly'));
const sources = sourceDirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f)));
const methodEntries = sources.filter((f) => !f.startsWith(path.dirname(entry) + path.sep));
const builds = [['build/kernels.wasm', 'simd,threads'], ['build/kernels-fma.wasm', 'simd,threads,relaxed-simd']];
const newestInput = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...sources.map((f) => statSync(f).mtimeMs));
const fresh = (out) => existsSync(out) && statSync(out).mtimeMs >= newestInput;
if (!process.argv.includes('--force') && builds.every(([file]) => fresh(path.join(root, file)))) process.exit(0);
mkdirSync(path.join(root, 'build'), { recursive: true });
const asc = path.join(root, 'node_modules/assemblyscript/bin/asc.js');
for (const [file, features] of builds) {
  execFileSync(process.execPath, [asc, entry, ...methodEntries, '-O3', '--enable', features, '--runtime', 'stub', '--noAssert',
    '--importMemory', '--sharedMemory', '--maximumMemory', '65536', '--initialMemory', '1',
    '-o', path.join(root, file)], { stdio: 'inherit', cwd: root });
}
