/**
 * Messages without the server's file system: no answer of the service shows a path of the machine it runs on.
 * Two steps: the directories the service knows (runs, their parents, datasets, teacher runs, the working directory)
 * are shortened to their last part ("…/WN18RR"), whatever characters they hold; then any other absolute path of two
 * or more segments (`/app/teachers/t1/best.json`, `/scratch/…`, `/gpfs/…`) is shortened the same way — except the
 * vocabulary's names, which look like paths in Freebase datasets (FB15k-237's entity `/m/027rn`, relation
 * `/film/film/genre`): a match that is an entity or relation key of a served model, or a Freebase id (`/m/…`,
 * `/g/…`: one letter, then one segment), stays as it is; so does a string the request itself sent (`sentStrings`): a
 * message quoting the client's own input ("unknown relation '/film/genres'") shows it as sent.
 */
import path from 'node:path';

/** The directories of a run that answers must not show: the run's, its parent's and its dataset's (absolute). */
export function runDirsToHide(runDir: string, datasetDir: string | undefined): string[] {
  const full = path.resolve(runDir);
  return datasetDir ? [full, path.dirname(full), path.resolve(datasetDir)] : [full, path.dirname(full)];
}

/**
 * An absolute path of two or more segments, starting a word (at the start, or after a space, quote, bracket, `=`,
 * `:`, `,` or `;`: not inside a URL, a relative path, or what the first step already shortened).
 */
const ABSOLUTE_PATH = /(?<=^|[\s'"`([{<=:,;])(?:\/[^\s/'"`,;:()[\]{}<>]+){2,}\/?/g;
/** Punctuation that ends a sentence rather than a path ("…/best.json." at the end of a message). */
const TRAILING_PUNCTUATION = /[.?!]+$/;
/** A Freebase id (`/m/027rn`, `/g/11b6`): a one-letter root is no directory of a server. */
const FREEBASE_ID = /^\/[a-z]\/[0-9a-z_]+$/;
/** Marks of an inverse relation a message may add after a key (`/film/film/genre⁻¹`). */
const INVERSE_MARK = /(?:⁻¹|\^-1)$/;

/** The last part of a path, after an ellipsis ("/x/y/WN18RR/" → "…/WN18RR"). */
function shortened(dir: string): string {
  return `…/${dir.replace(/\/+$/, '').split('/').pop()}`;
}

/**
 * `text` with the directories in `known` and other absolute paths shortened to their last part ("…/WN18RR");
 * `isName(s)` tells a vocabulary key that looks like a path (kept as it is).
 */
export function withoutPaths(text: string, known: readonly string[] = [], isName: (candidate: string) => boolean = () => false): string {
  let out = text;
  for (const dir of [...new Set(known)].filter((d) => d.length > 1).sort((a, b) => b.length - a.length)) {
    if (out.includes(dir)) out = out.split(dir).join(shortened(dir));
  }
  return out.replace(ABSOLUTE_PATH, (match) => {
    const end = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
    const core = match.slice(0, match.length - end.length);
    if (FREEBASE_ID.test(core) || isName(core) || isName(core.replace(INVERSE_MARK, ''))) return match;
    if (core.split('/').filter((part) => part !== '').length < 2) return match; // "/a." was one segment and a full stop
    return `${shortened(core)}${end}`;
  });
}

/** A served model's vocabulary, as its checkpoint header lists it. */
interface Vocabulary {
  readonly header: { readonly vocab: { readonly entities: readonly string[]; readonly relations: readonly string[] } };
}

/** The keys of each model's vocabulary that start with `/` (Freebase's), collected once per model. */
const PATH_LIKE_KEYS = new WeakMap<Vocabulary, Set<string>>();

/** Whether `candidate` is an entity or relation key of one of `models` (withoutPaths' `isName`). */
export function isVocabularyKey(models: readonly Vocabulary[], candidate: string): boolean {
  return models.some((model) => {
    let keys = PATH_LIKE_KEYS.get(model);
    if (!keys) {
      keys = new Set([...model.header.vocab.entities, ...model.header.vocab.relations].filter((key) => key.startsWith('/')));
      PATH_LIKE_KEYS.set(model, keys);
    }
    return keys.has(candidate);
  });
}

/** The strings a request sent (its query string's and its JSON body's values, lists' items included): withoutPaths spares them. */
export function sentStrings(...inputs: unknown[]): Set<string> {
  const sent = new Set<string>();
  for (const input of inputs) {
    if (input === null || typeof input !== 'object') continue;
    for (const value of Object.values(input)) {
      for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') sent.add(item);
    }
  }
  return sent;
}
