// The literature recipes of bench:peer-quality: the README's commands name recipes that exist, and each recipe's
// command is a d = 32 `kgdistill train` run with its seed and output directory.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LITERATURE_RECIPES, literatureArgs } from '../../bench/literature-recipes.js';

describe('literature recipes', () => {
  it("has a recipe for every --literature command of the README's table", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const commands = [...readme.matchAll(/bench:peer-quality -- --literature --datasets (\S+) --models ([^\s`]+)/g)];
    expect(commands.map((m) => `${m[1]} ${m[2]}`)).toEqual(['WN18RR RotatE', 'WN18RR ComplEx', 'FB15k-237 RotatE']);
    for (const [, dataset, model] of commands) {
      expect(LITERATURE_RECIPES.some((r) => r.dataset === dataset && r.model === model), `${dataset} ${model}`).toBe(true);
    }
  });

  it('builds a d = 32 train command with the seed and output directory', () => {
    const recipe = LITERATURE_RECIPES.find((r) => r.dataset === 'FB15k-237' && r.model === 'RotatE')!;
    expect(recipe.reference).toBe(0.29);
    const args = literatureArgs(recipe, '/data/fb', 2, '/runs/out');
    expect(args.slice(0, 7)).toEqual(['train', '--dataset', '/data/fb', '--model', 'RotatE', '--dim', '32']);
    expect(args.slice(-7)).toEqual(['--unseen', 'keep', '--seed', '2', '--out', '/runs/out', '--json']);
    expect(args).toContain('--neg');
    expect(args[args.indexOf('--neg') + 1]).toBe('256');
  });
});
