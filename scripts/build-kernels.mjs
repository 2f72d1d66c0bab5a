// Compiles the AssemblyScript kernels (src/kernels/assembly/index.ts) to build/kernels.wasm.
// Runs at `npm run build` (and so at `npm install` through `prepare`); a no-op when no kernel sources exist yet.
import { existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'src/kernels/assembly/index.ts');
if (!existsSync(entry)) process.exit(0);
mkdirSync(path.join(root, 'build'), { recursive: true });
const asc = path.join(root, 'node_modules/assemblyscript/bin/asc.js');
execFileSync(process.execPath, [asc, entry, '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert',
  '--importMemory', '--sharedMemory', '--maximumMemory', '65536', '--initialMemory', '1',
  '-o', path.join(root, 'build/kernels.wasm')], { stdio: 'inherit', cwd: root });
