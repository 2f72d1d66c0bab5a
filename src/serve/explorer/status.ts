/** The page's status line: what is loading, what failed, what to do about it. */
import { byId } from './dom.js';

/** How a status reads: information, something to wait for, or a failure. */
export type StatusKind = 'info' | 'wait' | 'error';

/** Shows `text` in the status line (replacing what was there). */
export function showStatus(text: string, kind: StatusKind = 'info'): void {
  const status = byId('status');
  status.textContent = text;
  status.className = kind;
}

/** Empties the status line. */
export function clearStatus(): void {
  const status = byId('status');
  status.textContent = '';
  status.className = '';
}
