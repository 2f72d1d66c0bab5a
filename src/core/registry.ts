/**
 * The one way kgdistill chooses something by name (PyKEEN's resolvers, torchdistill's loss registry): a registry
 * of entries, each with a name, a one-line summary (`describe()`: `kd --help` lists the methods') and a zod schema
 * for its parameters. Models, the general module's distillation methods and its distillation losses are registries
 * of this kind (the training losses are a closed set of names in losses.ts, chosen by `bySampledLoss`). Names match
 * case-insensitively; an unknown name is an error suggesting the name it is a typo of and listing the known ones,
 * and bad parameters are an error naming the entry and every offending field.
 */
import { distance as editDistance } from 'fastest-levenshtein';
import { z } from 'zod';

/** What every registry entry has. */
export interface RegistryEntry {
  readonly name: string;
  /** One line for listings and `--help`. */
  readonly summary: string;
  /** The entry's parameters, with their defaults. */
  readonly schema: z.ZodType;
}

/** Formats zod issues as `path: message; …` (the form every validation error of the project uses). */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`).join('; ');
}

/** The parameters `schema` takes and their defaults (undefined where there is none); {} when it cannot be described. */
export function parameterDefaults(schema: z.ZodType): Record<string, unknown> {
  let properties: Record<string, { default?: unknown }>;
  try {
    properties = (z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as { properties?: Record<string, { default?: unknown }> }).properties ?? {};
  } catch {
    return {};
  }
  return Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, p.default]));
}

/** The parameters `schema` takes, each `key=default` (or `key` alone without a default), for listings and errors. */
export function describeParameters(schema: z.ZodType): string {
  const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  return Object.entries(parameterDefaults(schema)).map(([key, value]) => (value === undefined ? key : `${key}=${shown(value)}`)).join(', ');
}

/**
 * formatIssues, an unknown key said in the project's words (`unknown parameter 'tempreature' (did you mean
 * 'temperature'?)`, not zod's `Unrecognized key`), and then the keys `schema` takes with their defaults.
 */
export function formatParameterIssues(error: z.ZodError, schema: z.ZodType): string {
  const unknownKey = error.issues.some((issue) => issue.code === 'unrecognized_keys');
  const known = unknownKey ? describeParameters(schema) : '';
  const names = Object.keys(parameterDefaults(schema));
  const unknownParameter = (at: readonly PropertyKey[], key: string): string => {
    const near = at.length === 0 ? nearestName(key, names) : undefined; // a nested key's siblings are not the top level's
    return `unknown parameter '${[...at, key].map(String).join('.')}'${near ? ` (did you mean '${near}'?)` : ''}`;
  };
  const said = error.issues.map((issue) => (issue.code === 'unrecognized_keys'
    ? issue.keys.map((key) => unknownParameter(issue.path, key)).join('; ')
    : formatIssues(new z.ZodError([issue]))));
  return `${said.join('; ')}${known ? ` (its parameters: ${known})` : ''}`;
}

/**
 * The one of `names` that `given` is a typo of, if any: an edit away (two for names of 8 letters or more), case
 * aside, and `given` of 3 letters or more; the flags' and config keys' "did you mean" (pipeline/options.ts) uses it too.
 */
export function nearestName(given: string, names: readonly string[]): string | undefined {
  const plain = given.toLowerCase();
  if (plain.length < 3) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(name.toLowerCase(), plain);
    if (distance <= (plain.length >= 8 ? 2 : 1) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Parameters an entry's schema refuses: `invalid parameters for <what>: <each bad field>` (a caller may add where they came from). */
export class InvalidParametersError extends Error {
  /** `what` names the entry (`distillation method 'kd'`), `issues` are formatParameterIssues' words. */
  constructor(what: string, issues: string) {
    super(`invalid parameters for ${what}: ${issues}`);
    this.name = 'InvalidParametersError';
  }
}

/** A name → entry table of one kind of thing ('model', 'distillation method', 'loss'). */
export class Registry<E extends RegistryEntry> {
  private readonly byKey = new Map<string, E>();

  /** `kind` names one entry in messages ('model'); `plural` the known ones ('models'). */
  constructor(readonly kind: string, entries: readonly E[] = [], readonly plural = `${kind}s`) {
    for (const entry of entries) this.add(entry);
  }

  /** Adds an entry; a second entry with the same (case-insensitive) name is an error. */
  add(entry: E): E {
    const key = entry.name.toLowerCase();
    if (this.byKey.has(key)) throw new Error(`${this.kind} '${entry.name}' is registered twice`);
    this.byKey.set(key, entry);
    return entry;
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.byKey.values()].map((e) => e.name);
  }

  /** Every entry, in registration order. */
  entries(): readonly E[] {
    return [...this.byKey.values()];
  }

  /** Whether `name` is registered (case-insensitive). */
  has(name: string): boolean {
    return this.byKey.has(name.toLowerCase());
  }

  /** The entry of `name` (case-insensitive), or an error suggesting the nearest name (a typo's) and listing the known ones. */
  get(name: string): E {
    const entry = this.byKey.get(name.toLowerCase());
    if (entry) return entry;
    throw new Error(this.unknownNameMessage(name));
  }

  /** What an unknown `name` is refused with: the name it is a typo of, if any, and the known ones (get's message). */
  unknownNameMessage(name: string): string {
    const near = nearestName(name, this.names());
    return `unknown ${this.kind} '${name}'${near === undefined ? '' : ` (did you mean '${near}'?)`}; known ${this.plural}: ${this.names().join(', ')}`;
  }

  /** The validated parameters of entry `name` (defaults filled in), or an error naming the entry and each bad field. */
  parse(name: string, params: unknown = {}): unknown {
    const entry = this.get(name);
    const result = entry.schema.safeParse(params ?? {});
    if (!result.success) throw new InvalidParametersError(`${this.kind} '${entry.name}'`, formatParameterIssues(result.error, entry.schema));
    return result.data;
  }

  /** One line per entry, `name — summary`, for `--help` and listings. */
  describe(indent = '  '): string {
    const width = Math.max(0, ...this.names().map((n) => n.length));
    return this.entries().map((e) => `${indent}${e.name.padEnd(width)}  ${e.summary}`).join('\n');
  }
}
