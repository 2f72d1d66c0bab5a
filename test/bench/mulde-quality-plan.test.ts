// The plan of bench:mulde-quality: a student and its twin share every flag but the teachers', every teacher a
// student names is a row of the plan (d ≤ 64) that runs before it, and the README's commands select rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { qualityPlan, selectRows, type Row } from '../../bench/mulde-quality-plan.js';
import { LITERATURE_RECIPES, literatureArgs } from '../../bench/literature-recipes.js';

const root = '/quality';
const rows = qualityPlan(root);
const byKey = new Map(rows.map((row) => [`${row.dataset}/${row.id}`, row]));

/** The flags of a row's command as name → value ('' for a flag without a value), after the command name. */
function flagsOf(row: Row): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 1; i < row.args.length; i++) {
    const name = row.args[i]!;
    expect(name.startsWith('--'), `${row.id}: '${name}' is not a flag`).toBe(true);
    const next = row.args[i + 1];
    const hasValue = next !== undefined && !next.startsWith('--');
    expect(flags.has(name), `${row.id}: ${name} twice`).toBe(false);
    flags.set(name, hasValue ? next : '');
    if (hasValue) i++;
  }
  return flags;
}

/** Flags only `distill` has: the teachers and how their knowledge is passed on. */
const DISTILL_ONLY = ['--student', '--teachers', '--top-k', '--kd-weight', '--refresh-every', '--no-scaling', '--no-attention'];

/** A row compared with a twin: the twin's row for the same seed. */
function twinOf(row: Row): Row {
  const seed = /-s(\d+)$/.exec(row.id)![1];
  const twin = byKey.get(`${row.dataset}/${row.against![0]}-s${seed}`);
  expect(twin, `${row.dataset}/${row.id}: no twin ${row.against![0]}-s${seed}`).toBeDefined();
  return twin!;
}

describe('bench:mulde-quality plan', () => {
  it('names every row once per dataset', () => {
    expect(byKey.size).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(80);
  });

  it('gives each student the command of its twin, seed by seed, plus the teachers', () => {
    const compared = rows.filter((row) => row.against !== undefined);
    expect(compared.length).toBeGreaterThan(40);
    for (const row of compared) {
      const twin = twinOf(row);
      expect(row.args[0], row.id).toBe('distill');
      expect(twin.args[0], twin.id).toBe('train');
      const student = flagsOf(row);
      const twinFlags = flagsOf(twin);
      expect(student.get('--student'), row.id).toBe(twinFlags.get('--model'));
      for (const name of DISTILL_ONLY) student.delete(name);
      twinFlags.delete('--model');
      // student-dn-roth-d32: the Junior on single negatives against the double-negative single model, on purpose.
      if (/^student-dn-roth-d32-s\d$/.test(row.id)) {
        expect(twinFlags.get('--double-neg'), row.id).toBe('');
        twinFlags.delete('--double-neg');
      }
      expect(Object.fromEntries(student), `${row.dataset}/${row.id} against ${twin.id}`).toEqual(Object.fromEntries(twinFlags));
    }
  });

  it('teaches every student with teacher rows of at most 64 dimensions that run in an earlier stage', () => {
    for (const row of rows.filter((r) => r.args[0] === 'distill')) {
      const teachers = flagsOf(row).get('--teachers')!.split(',');
      expect(teachers.length, row.id).toBeGreaterThan(0);
      for (const dir of teachers) {
        const teacher = byKey.get(path.relative(root, dir));
        expect(teacher?.kind, `${row.id}: ${dir}`).toBe('teacher');
        expect(teacher!.dataset).toBe(row.dataset);
        expect(Number(flagsOf(teacher!).get('--dim'))).toBeLessThanOrEqual(64);
        expect(teacher!.stage, `${teacher!.id} before ${row.id}`).toBeLessThan(row.stage);
      }
    }
    expect(rows.filter((r) => r.kind === 'teacher').map((r) => `${r.dataset}/${r.id}`)).toEqual([
      'WN18RR/teacher-roth-d64', 'WN18RR/teacher-refh-d64', 'WN18RR/teacher-atth-d64', 'WN18RR/teacher-murp-d64',
      'FB15k-237/teacher-roth-d64', 'FB15k-237/teacher-refh-d64', 'FB15k-237/teacher-atth-d64', 'FB15k-237/teacher-murp-d64',
      'WN18RR/teacher-roth-d64-s1', 'WN18RR/teacher-roth-d64-s2',
    ]);
    const sixTeachers = flagsOf(rows.find((r) => r.id === 'student-t6-roth-d32-s0')!).get('--teachers')!.split(',');
    expect(sixTeachers.map((dir) => path.basename(dir))).toEqual(['teacher-roth-d64', 'teacher-refh-d64', 'teacher-atth-d64', 'teacher-murp-d64', 'teacher-roth-d64-s1', 'teacher-roth-d64-s2']);
  });

  it('selects rows by id or dataset/id and names --only when it selects nothing or is no regular expression', () => {
    expect(selectRows(rows, undefined)).toBe(rows);
    expect(selectRows(rows, '^FB15k-237/single-atth').map((r) => r.id)).toEqual(['single-atth-d32', 'single-atth-neg255-d32', 'single-atth-neg500-d32', 'single-atth-1n-d32']);
    // the ComplEx-N3 rows are the literature recipe (peer-quality --literature) with another N3 weight and nothing else
    const literature = literatureArgs(LITERATURE_RECIPES.find((r) => r.dataset === 'WN18RR' && r.model === 'ComplEx')!, 'WN18RR', 0, 'out');
    for (const row of selectRows(rows, '^WN18RR/single-complexn3-reg[0-9.]+-d32$')) {
      const weight = /reg([0-9.]+)-d32$/.exec(row.id)![1]!;
      expect(row.args).toEqual(literature.slice(0, -3).map((value, i) => (literature[i - 1] === '--reg-weight' ? weight : value)));
    }
    expect(selectRows(rows, '^WN18RR/single-complexn3-').map((r) => r.id)).toEqual(['single-complexn3-reg0.01-d32', 'single-complexn3-reg0.02-d32', 'single-complexn3-reg0.02-lr-d32', 'single-complexn3-reg0.1-d32']);
    // the rate lowered on plateaus, and nothing else, beside the 0.02 row
    const [plain, lowered] = selectRows(rows, '^WN18RR/single-complexn3-reg0.02-');
    expect(lowered!.args).toEqual([...plain!.args, '--lr-decay', '0.3', '--lr-patience', '2']);
    expect(selectRows(rows, '^twin-roth-d32-s1$').map((r) => `${r.dataset}/${r.id}`)).toEqual(['WN18RR/twin-roth-d32-s1', 'FB15k-237/twin-roth-d32-s1']);
    expect(() => selectRows(rows, 'student-roth-d64')).toThrow("--only 'student-roth-d64' matches no row (--list shows every row's id)");
    expect(() => selectRows(rows, '(')).toThrow("--only '(' is not a regular expression");
  });

  it("selects rows with every --only of the README's table and the commands below it", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const commands = [...readme.matchAll(/bench:mulde-quality -- --only '([^']+)'/g)].map((m) => m[1]!); // as copied from the raw file
    expect(commands.length).toBeGreaterThanOrEqual(4);
    const counts = commands.map((only) => selectRows(rows, only).length);
    // single RotH, ComplEx-N3 with N3 0.02, single AttH with 255 negatives, the six-teacher d = 16 students of three
    // seeds, then 4 teachers + 3 twins + 3 students on each graph, then the six-teacher WN18RR students: 6 teachers +
    // 3 twins + 3 students
    expect(counts).toEqual([1, 1, 1, 3, 10, 10, 12]);
  });
});
