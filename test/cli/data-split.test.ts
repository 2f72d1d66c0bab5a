// `kgdistill data split`: seeded, cleaned (valid/test triples with an unseen entity or relation move to train, as
// PyKEEN does), counted, written whole or not at all; and splitTriples itself on a hand-checked case.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { splitTriples, type NamedTriple } from '../../src/kg/split-triples.js';
import { runCli, runCliCapturing, lastJsonLine } from '../helpers/run-cli.js';
import { tempDir } from '../kg/helpers.js';
import { OptionsError } from '../../src/pipeline/options-error.js';

const cli = (args: string[]): Promise<string> => runCli([registerDataCommands], args);
const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('splitTriples', () => {
  it('cuts a seeded shuffle by the ratios and moves valid/test triples with unseen parts to train', () => {
    const triples: NamedTriple[] = Array.from({ length: 100 }, (_, i) => [`e${i % 10}`, `r${i % 3}`, `e${Math.floor(i / 10)}`]); // 100 distinct
    const a = splitTriples(triples, { ratios: [0.8, 0.1, 0.1], seed: 4 });
    expect(a.duplicates).toBe(0);
    expect(a).toEqual(splitTriples(triples, { ratios: [0.8, 0.1, 0.1], seed: 4 }));
    expect(a.train.length + a.valid.length + a.test.length).toBe(100);
    expect(a.valid.length + a.moved.valid).toBe(10);
    const seen = new Set(a.train.flatMap(([h, r, t]) => [`e:${h}`, `r:${r}`, `e:${t}`]));
    for (const [h, r, t] of [...a.valid, ...a.test]) expect(seen.has(`e:${h}`) && seen.has(`r:${r}`) && seen.has(`e:${t}`)).toBe(true);
    // a relation used once can only live in train
    const lonely = splitTriples([...triples, ['e1', 'only-once', 'e2']], { ratios: [0.5, 0.25, 0.25], seed: 1 });
    expect(lonely.train.some(([, r]) => r === 'only-once')).toBe(true);
    expect(() => splitTriples(triples, { ratios: [0.5, 0.5, 0.5] })).toThrow(/ratios must be three fractions/);
    // a malformed triple from JavaScript is refused by position, not written into train
    expect(() => splitTriples([...triples, ['a', 'r'] as unknown as NamedTriple])).toThrow('triples[100] must be three strings [head, relation, tail] (got ["a","r"])');
    expect(() => splitTriples([['a', 'r', 3] as unknown as NamedTriple])).toThrow('triples[0] must be three strings');
  });

  it('moves a valid triple whose only unseen part is its tail', () => {
    // ratios 0.5/0.5/0 of 2 triples: one in train, one in valid. Both share head a and relation r; the valid one's tail
    // (b or c) never occurs in train, so it moves, whichever seed put which where.
    for (const seed of [0, 1, 2, 3]) {
      const split = splitTriples([['a', 'r', 'b'], ['a', 'r', 'c']], { ratios: [0.5, 0.5, 0], seed });
      expect(split.valid).toEqual([]);
      expect(split.test).toEqual([]);
      expect(split.moved).toEqual({ valid: 1, test: 0 });
      expect(split.train.map((t) => t.join(' ')).sort()).toEqual(['a r b', 'a r c']);
    }
  });

  it("a moved triple's names count as seen for the triples after it: only the first of two triples with a new entity moves", () => {
    // 3 triples, 1 each in train, valid and test. With [a r b] in train, c is unseen by both [c r a] and [a r c]: the
    // first of them moves, bringing c into train, and the second then stays. Either other train triple sees a and c,
    // and [a r b] moves for its b alone. So exactly one triple moves, whatever the seed.
    const triples: NamedTriple[] = [['a', 'r', 'b'], ['c', 'r', 'a'], ['a', 'r', 'c']];
    const trainFirst: string[] = [];
    for (let seed = 0; seed < 10; seed++) {
      const split = splitTriples(triples, { ratios: [1 / 3, 1 / 3, 1 / 3], seed });
      trainFirst.push(split.train[0]!.join(' '));
      expect(split.moved.valid + split.moved.test).toBe(1);
      expect(split.train).toHaveLength(2);
      expect(split.valid.length + split.test.length).toBe(1);
    }
    expect(trainFirst).toContain('a r b'); // the case where the second triple depends on the first one's move
  });

  it('rounds each split size to the nearest triple: 0.1 of 15 is 2 for valid and for test, 11 train', () => {
    const triples: NamedTriple[] = Array.from({ length: 15 }, (_, i) => ['hub', 'r', `e${i}`]);
    for (const seed of [0, 1]) {
      const split = splitTriples(triples, { ratios: [0.8, 0.1, 0.1], seed });
      expect(split.valid.length + split.moved.valid).toBe(2); // Math.round(1.5)
      expect(split.test.length + split.moved.test).toBe(2);
      expect(split.train.length - split.moved.valid - split.moved.test).toBe(11);
    }
  });

  it('splits each distinct triple once: repeats are left out and counted (a copy in train and in test would leak)', () => {
    const triples: NamedTriple[] = Array.from({ length: 100 }, (_, i) => [`e${i % 10}`, `r${i % 3}`, `e${Math.floor(i / 10)}`]);
    const twice = splitTriples([...triples, ...triples.slice(0, 40), ['e1', 'r1', 'e0']], { seed: 2 });
    expect(twice.duplicates).toBe(41); // ['e1', 'r1', 'e0'] is triples[1]
    const all = [...twice.train, ...twice.valid, ...twice.test].map((t) => t.join(' '));
    expect(all).toHaveLength(100);
    expect(new Set(all).size).toBe(100);
  });
});

describe('kgdistill data split', () => {
  it('writes train/valid/test, reports the counts, and refuses to overwrite', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'all.tsv');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => `n${i % 20}\tlinks\tn${Math.floor(i / 20)}\n`).join('')); // 200 distinct
    const out = path.join(dir, 'split');
    const counts = lastJsonLine(await cli(['data', 'split', file, '--out', out, '--ratios', '0.7,0.15,0.15', '--seed', '3', '--json'])) as { train: number; valid: number; test: number; movedToTrain: { valid: number; test: number } };
    const lines = (name: string): number => readFileSync(path.join(out, `${name}.txt`), 'utf8').trim().split('\n').length;
    expect([lines('train'), lines('valid'), lines('test')]).toEqual([counts.train, counts.valid, counts.test]);
    expect(counts.train + counts.valid + counts.test).toBe(200);
    expect(counts.valid + counts.movedToTrain.valid).toBe(30);
    // the same lines twice: each triple split once, the repeats counted
    const doubled = path.join(dir, 'doubled.tsv');
    writeFileSync(doubled, readFileSync(file, 'utf8').repeat(2));
    const again = lastJsonLine(await cli(['data', 'split', doubled, '--out', path.join(dir, 'split2'), '--ratios', '0.7,0.15,0.15', '--seed', '3', '--json'])) as { duplicates: number; train: number; valid: number; test: number };
    expect(again.duplicates).toBe(200);
    expect(again.train + again.valid + again.test).toBe(200);
    await expect(cli(['data', 'split', file, '--out', out])).rejects.toThrow(/--out .*split: exists and is not empty; choose a new directory \(nothing was written\)/);
    await expect(cli(['data', 'split', file, '--out', path.join(dir, 'x'), '--ratios', '0.9,0.2,0'])).rejects.toThrow(/--ratios must be three fractions ≥ 0 summing to 1/);
    await expect(cli(['data', 'split', file, '--out', path.join(dir, 'x'), '--ratios', '0.8,0.1'])).rejects.toThrow(OptionsError); // a usage error: exit 2
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
  });

  it("--out '' is refused naming the flag as a usage error (exit 2), and the working directory is left as it was (it resolved to it: data split replaced it by the split)", async () => {
    const dir = tempDir('split-empty-out');
    const file = path.join(dir, 'triples.txt');
    writeFileSync(file, 'a\tr\tb\nb\tr\tc\nc\tr\ta\n');
    writeFileSync(path.join(dir, 'keep.txt'), 'mine\n');
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const main = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');
    for (const args of [['data', 'split', file, '--out', ''], ['data', 'generate', '--entities', '10', '--out', ' ']]) {
      const result = spawnSync(tsx, [main, ...args], { cwd: dir, encoding: 'utf8' });
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain('kgdistill: --out is empty: give a new directory (nothing was written)');
    }
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'triples.txt']);
    expect(readFileSync(path.join(dir, 'keep.txt'), 'utf8')).toBe('mine\n');
  }, 60_000);

  it('reads wider files by column positions and names the line of a bad one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'wide.csv');
    writeFileSync(file, 'id,head,tail,relation,weight\n1,a,b,r,0.5\n2,b,c,r,0.1\n3,c,a,r,1\n4,a,c,r,1\n');
    const out = path.join(dir, 'split');
    const counts = lastJsonLine(await cli(['data', 'split', file, '--out', out, '--columns', '1,3,2', '--ratios', '0.5,0.25,0.25', '--json'])) as { triples: number };
    expect(counts.triples).toBe(4);
    expect(readFileSync(path.join(out, 'train.txt'), 'utf8')).toMatch(/^[abc]\tr\t[abc]\n/);
    mkdirSync(path.join(dir, 'bad'));
    writeFileSync(path.join(dir, 'bad', 'x.tsv'), 'a\tr\tb\na\tr\n');
    await expect(cli(['data', 'split', path.join(dir, 'bad', 'x.tsv'), '--out', path.join(dir, 'y')])).rejects.toThrow(/x\.tsv:2: expected 3 fields, found 2/);
  });

  it('writes only what reads back the same: a name with a tab or line break, or starting with #, is refused naming its line (nothing written)', async () => {
    const dir = tempDir();
    const cases: [string, string][] = [
      ['a,r,b\n"x\ty",r,a\n', 'tab.csv:2: the head name "x\\ty" holds a tab (a quoted field)'],
      ['a,r,b\n"multi\nline",r,b\n', 'break.csv:3: the head name "multi\\nline" holds a line break (a quoted field)'],
      ['a,r,b\n"#tag",r,c\n', `hash.csv:2: the head "#tag" starts with '#', which the tab-separated split files would read back as a comment line: rename it (nothing was written)`],
    ];
    for (const [text, message] of cases) {
      const file = path.join(dir, message.split(':')[0]!);
      writeFileSync(file, text);
      const out = path.join(dir, `out-${path.basename(file)}`);
      await expect(cli(['data', 'split', file, '--out', out])).rejects.toThrow(message); // the split files read back 4 fields, or one triple less
      expect(existsSync(out)).toBe(false);
    }
  });

  it('notes a first line that may be a header (the shuffle hides it among the triples) and valid and test both empty; refuses an empty ratio', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'h.tsv');
    writeFileSync(file, `Kopf\tRelation\tSchwanz\n${Array.from({ length: 20 }, (_, i) => `e${i}\tr\te${(i + 1) % 20}`).join('\n')}\n`);
    const { err } = await runCliCapturing([registerDataCommands], ['data', 'split', file, '--out', path.join(dir, 'a')]);
    expect(err).toContain(`note: ${file}:1: "Kopf", "Relation", "Schwanz" may be a header — none of these names occurs anywhere else; it was split as a triple: --header yes skips it\n`);
    const skipped = await runCliCapturing([registerDataCommands], ['data', 'split', file, '--out', path.join(dir, 'b'), '--header', 'yes', '--ratios', '1,0,0']);
    expect(skipped.err).not.toContain('may be a header');
    expect(skipped.err).toContain(`note: ${file}:1: "Kopf,Relation,Schwanz" skipped as a header\n`);
    expect(skipped.err).toContain(`note: valid and test are both empty: a run on ${path.join(dir, 'b')} can neither stop early nor be evaluated\n`);
    // ratios that round to no triple say so, not that triples moved to train (none did)
    const four = path.join(dir, 'four.tsv');
    writeFileSync(four, 'a\tr\tb\nb\tr\tc\nc\tr\ta\na\tr\tc\n');
    const rounded = await runCliCapturing([registerDataCommands], ['data', 'split', four, '--out', path.join(dir, 'rounded')]);
    expect(rounded.err).toContain('note: the valid ratio 0.1 of 4 triples is less than half a triple: valid is empty (give more triples or a larger ratio)\n');
    expect(rounded.err).toContain(`note: valid and test are both empty: a run on ${path.join(dir, 'rounded')} can neither stop early nor be evaluated\n`);
    expect(rounded.err).not.toContain('moved to train)');
    // a relation or tail may start with '#': only a head begins a comment line of the written files
    const tagged = path.join(dir, 'tagged.csv');
    writeFileSync(tagged, `${Array.from({ length: 10 }, (_, i) => `e${i},r,e${(i + 1) % 10}`).join('\n')}\ne1,"#rel","#kg"\ne2,"#rel",e3\n`);
    const written = path.join(dir, 'tagged');
    await cli(['data', 'split', tagged, '--out', written, '--ratios', '1,0,0']);
    expect(readFileSync(path.join(written, 'train.txt'), 'utf8')).toContain('e1\t#rel\t#kg\n');
    const named = path.join(dir, 'named.tsv'); // a recognised header is no suspect, nor is the triple after it
    writeFileSync(named, 'head\trelation\ttail\nx\ts\ty\na\tr\tb\nb\tr\tc\n');
    const namedErr = (await runCliCapturing([registerDataCommands], ['data', 'split', named, '--out', path.join(dir, 'c')])).err;
    expect(namedErr).not.toContain('may be a header');
    expect(namedErr).toContain(`note: ${named}:1: "head,relation,tail" skipped as a header\n`);
    await expect(cli(['data', 'split', file, '--out', path.join(dir, 'd'), '--ratios', '0.8,,0.2'])).rejects.toThrow("--ratios must be three fractions ≥ 0 summing to 1, train > 0 (got '0.8,,0.2')");
  });
});

describe('kgdistill data generate', () => {
  it('writes the seeded generated graph, and refuses a non-empty directory or a bad count', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'g');
    expect((await cli(['data', 'generate', '--out', out, '--entities', '50', '--seed', '2'])).trim()).toBe(out);
    expect(readFileSync(path.join(out, 'train.txt'), 'utf8')).toMatch(/^e\d+\t(next|previous|parent|child|member_of)\t/);
    // the directory has the mode of any new directory (the umask's), not the 0700 of a temporary one renamed into place
    const umask = process.umask(0o022);
    try {
      const shared = path.join(dir, 'shared');
      await cli(['data', 'generate', '--out', shared, '--entities', '20']);
      expect(statSync(shared).mode & 0o777).toBe(0o755);
    } finally {
      process.umask(umask);
    }
    await expect(cli(['data', 'generate', '--out', out])).rejects.toThrow(/exists and is not empty/);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'h'), '--entities', 'ten'])).rejects.toThrow(/--entities must be an integer ≥ 4 \(got 'ten'\)/);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'h'), '--seed', '1.5'])).rejects.toThrow(/--seed must be an integer from -9007199254740991 to 9007199254740991 \(got '1\.5'\)/);
    expect((await cli(['data', 'generate', '--out', path.join(dir, 'negative-seed'), '--entities', '20', '--seed=-3'])).trim()).toBe(path.join(dir, 'negative-seed')); // any integer, as train's
  });
});
