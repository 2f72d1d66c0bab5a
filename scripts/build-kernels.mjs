// Compiles the AssemblyScript kernels (src/kernels/assembly/index.ts) to build/kernels.wasm.
// Runs at `npm run build` (and so at `npm install` through `prepare`); a no-op when no kernel sources exist yet,
// and when build/kernels.wasm is newer than every kernel source and this script (pass --force to rebuild anyway).
// The memory is imported as a *shared* memory (threads feature) so worker threads can run kernels on the same
// tables; its maximum (65536 pages = 4 GiB) is the wasm32 limit, and the importer may declare a smaller one.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const srcDir = path.join(root, 'src/kernels/assembly');
const entry = path.join(srcDir, 'index.ts');
if (!existsSync(entry)) process.exit(0);
const out = path.join(root, 'build/kernels.wasm');
const newestInput = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs,
  ...readdirSync(srcDir).filter((f) => f.endsWith('.ts')).map((f) => statSync(path.join(srcDir, f)).mtimeMs));
if (!process.argv.includes('--force') && existsSync(out) && statSync(out).mtimeMs >= newestInput) process.exit(0);
mkdirSync(path.join(root, 'build'), { recursive: true });
const asc = path.join(root, 'node_modules/assemblyscript/bin/asc.js');
execFileSync(process.execPath, [asc, entry, '-O3', '--enable', 'simd,threads', '--runtime', 'stub', '--noAssert',
  '--importMemory', '--sharedMemory', '--maximumMemory', '65536', '--initialMemory', '1',
  '-o', out], { stdio: 'inherit', cwd: root });
