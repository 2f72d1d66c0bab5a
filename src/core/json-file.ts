/** Reading a small JSON file kgdistill writes beside a run (a student's teacher record), validated by a schema. */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatIssues } from './registry.js';

/** Reads `file` and validates it with `schema`; bad JSON or a value the schema refuses is an error naming the file and `what` it should be. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): z.infer<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new Error(`${file}: not ${what} (${formatIssues(result.error)})`);
  return result.data;
}
