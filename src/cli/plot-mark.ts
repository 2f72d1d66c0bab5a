/**
 * How `kgdistill plot` tells its own plots from other SVG files: a plot replaces a plot, never a drawing the user
 * named by mistake. Its plots carry a comment right after the opening `<svg …>` tag; plots from before the mark are
 * vega's, whose root element has `class="marks"`.
 */

/** The comment every plot carries, first inside its root element. */
export const PLOT_MARK = '<!-- kgdistill plot -->';

/** An SVG (vega's) with the mark put first inside its root element. */
export function markedPlot(svg: string): string {
  const end = svg.indexOf('>', svg.indexOf('<svg'));
  return end < 0 ? svg : `${svg.slice(0, end + 1)}${PLOT_MARK}${svg.slice(end + 1)}`;
}

/** Whether a file's first characters are those of a plot kgdistill wrote (marked, or vega's from before the mark). */
export function isKgdistillPlot(head: string): boolean {
  const root = /^\s*(?:<\?xml[^>]*>\s*)?(<svg[^>]*>)/.exec(head);
  return root !== null && (head.slice(root.index + root[0].length).startsWith(PLOT_MARK) || /\sclass="marks"[\s>]/.test(root[1]!));
}
