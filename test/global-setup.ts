// Builds the AssemblyScript kernels once before the suite when they are missing or older than their sources.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-kernels.mjs'], { stdio: 'inherit' });
}
