/**
 * A run's curves — training loss per epoch and validation MRR where it was validated — as a vega-lite chart
 * rendered in the page (SVG), from the points the server read from metrics.jsonl or the in-page trainer reported.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { clear, el } from './dom.js';
import type { CurvePoint } from './protocol.js';

const views = new WeakMap<HTMLElement, View>();

/** The vega-lite spec of the curves (two y scales: loss on the left, validation MRR on the right). */
export function curvesSpec(points: readonly CurvePoint[], width = 260): TopLevelSpec {
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width, height: 150, data: { values: points.map((p) => ({ ...p })) },
    layer: [
      { mark: { type: 'line', color: '#4c78a8' }, encoding: { x, y: { field: 'loss', type: 'quantitative', title: 'training loss', axis: { titleColor: '#4c78a8' } } } },
      {
        transform: [{ filter: 'isValid(datum.validMrr)' }],
        mark: { type: 'line', color: '#e45756', point: { filled: true, size: 25, color: '#e45756' } },
        encoding: { x, y: { field: 'validMrr', type: 'quantitative', title: 'valid MRR', scale: { domain: [0, 1] }, axis: { titleColor: '#e45756' } }, tooltip: [{ field: 'epoch' }, { field: 'validMrr', format: '.4f', title: 'valid MRR' }] },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: { view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 } },
  } as TopLevelSpec;
}

/**
 * Renders the curves into `container` (replacing an earlier chart; `width` of the plot in pixels); a note when there
 * are none (`emptyNote`, e.g. why the run's metrics.jsonl could not be read).
 */
export async function renderCurves(container: HTMLElement, points: readonly CurvePoint[], width = 200, emptyNote = 'no curves: the run has no metrics.jsonl'): Promise<void> {
  views.get(container)?.finalize();
  views.delete(container);
  clear(container);
  if (points.length === 0) {
    container.append(el('p', { class: 'note' }, emptyNote));
    return;
  }
  const target = el('div', { class: 'vega' });
  container.append(target);
  const view = new View(parse(compile(curvesSpec(points, width)).spec), { renderer: 'svg', container: target, hover: true });
  views.set(container, view);
  await view.runAsync();
}
