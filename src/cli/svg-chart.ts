/** Line charts rendered headless to SVG with vega-lite → vega (no browser, no canvas). */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One point of a series. */
export interface ChartPoint { epoch: number; value: number; series: string }

/** Renders one panel per series (own y scale when `independentY`) as an SVG string. */
export async function renderLineChartSvg(points: ChartPoint[], options: { title: string; x: string; y: string; independentY?: boolean }): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    data: { values: points },
    facet: { row: { field: 'series', type: 'nominal', title: null } },
    spec: {
      width: 480,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: options.x },
        y: { field: 'value', type: 'quantitative', title: options.y, scale: { zero: false } },
      },
    },
    resolve: options.independentY ? { scale: { y: 'independent' } } : undefined,
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
