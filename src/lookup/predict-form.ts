/**
 * What a prediction request may give, as `kgdistill predict` and serve's predict route both check it: head or tail
 * for a list of answers (with `k`, `filtered`), both for the score and rank of one triple. The messages name the
 * parameters as each caller does (`--head` on the command line, `head` over HTTP).
 */

/** The refusal of a prediction that gives neither head nor tail, the parameters named as the caller names them (`--head` or `head`). */
export function headOrTailMessage(head: string, tail: string): string {
  return `give ${head} (to predict tails), ${tail} (to predict heads), or both (to score one triple)`;
}

/** The refusal of parameters that only shape a list of answers (`listOnly`: `--k`, `filtered`, …) in a prediction that gives head and tail. */
export function listOnlyMessage(listOnly: readonly string[], head: string, tail: string): string {
  const named = listOnly.join(' and ');
  return `${named} ${listOnly.length === 1 ? 'applies' : 'apply'} to a list of answers: with ${head} and ${tail}, predict scores one triple (its rank is always filtered); drop ${named}, or drop ${tail} to list the top answers`;
}
