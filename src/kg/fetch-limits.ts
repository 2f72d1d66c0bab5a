/**
 * Size limits of a dataset fetch, so that a hostile or broken mirror cannot exhaust memory: the largest real
 * download is 4.1 MB (villmow's WN18RR/text/train.txt; ConvE's FB15k-237.tar.gz is 3.4 MB) and the largest real
 * archive member 21 MB (FB15k-237 train.txt), so the limits are far above them and far below what fails Node
 * (a Buffer of 4 GiB, a string of 2^29 characters).
 */

/** The largest download accepted per file: 256 MiB (about 64× the largest real one). */
export const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;
/** The largest archive member (train.txt, …) that is unpacked: 256 MiB (12× FB15k-237's train.txt). */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;
/** The most an archive may inflate to as a whole, ignored members included: 512 MiB (the real ones: 3.4 and 24 MB). */
export const MAX_INFLATED_BYTES = 512 * 1024 * 1024;
/** The longest delay `setTimeout` accepts, in ms (a longer one fires at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The longest idle timeout accepted, in seconds (MAX_TIMER_MS rounded down). */
export const MAX_TIMEOUT_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
/** The bound on a timeout in words, for the messages of every place that takes one. */
export const MAX_TIMEOUT_TEXT = `at most ${thousands(MAX_TIMEOUT_SECONDS)} seconds (about 24 days; the longest timer Node has)`;

/** "1,234,567". */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** Limits of one fetch; tests pass small ones. */
export interface FetchLimits {
  /** Largest download per file, in bytes. */
  downloadBytes: number;
  /** Largest archive member that is unpacked, in bytes. */
  entryBytes: number;
  /** Most an archive may inflate to, in bytes. */
  inflatedBytes: number;
}

/** The default limits. */
export const DEFAULT_FETCH_LIMITS: Readonly<FetchLimits> = {
  downloadBytes: MAX_DOWNLOAD_BYTES,
  entryBytes: MAX_ENTRY_BYTES,
  inflatedBytes: MAX_INFLATED_BYTES,
};

/** "268,435,456 bytes (256 MiB)"; whole MiB only when exact. */
export function byteLimitText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${thousands(bytes)} bytes${Number.isInteger(mib) && mib >= 1 ? ` (${mib} MiB)` : ''}`;
}
