/**
 * A memory size in words, for messages: GiB from 1 GiB (two decimals), MiB from 1 MiB (one), KiB from 1 KiB, else
 * bytes — so a small table reads "2.4 MiB", not "0.00 GiB".
 */

/** `bytes` as "4.00 GiB", "624.6 MiB", "12 KiB" or "512 bytes". */
export function byteSizeText(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${Math.round(bytes / 2 ** 10)} KiB`;
  return `${bytes} bytes`;
}
