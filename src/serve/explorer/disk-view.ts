/**
 * The neighbourhood picture as SVG: the Poincaré disk (hyperbolic models) with rings at hyperbolic distances 1, 2,
 * 3, … from the query entity at its centre (see diskScale for pictures whose points would crowd the boundary), or a
 * plane (Euclidean models) with rings at round distances. The
 * coordinates are the server's (or the in-page model's) projection of just these points; hovering a point shows
 * its true distance from the query and, for a predicted answer, the model's score. Enlarged (the page's button), the
 * picture fills the width with points and labels at their usual size on screen, and every point is labelled.
 */
import { clear, entityLabel, fmt } from './dom.js';
import type { ProjectionResult } from './protocol.js';

const SVG = 'http://www.w3.org/2000/svg';

/** What a drawn point is: the query, a nearest entity, a predicted answer, or both. */
export type PointRole = 'query' | 'neighbor' | 'answer' | 'both';

/** The extra facts of a point shown on hover. */
export interface PointFacts {
  role: PointRole;
  /** Whether the point gets a label (the others show theirs on hover). */
  label?: boolean;
  score?: number;
  similarity?: number;
  known?: boolean;
}

/** An SVG element with attributes. */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** Ring distances for a plane picture whose largest distance is `max`: 1, 2 or 5 times a power of ten. */
function planeRings(max: number): number[] {
  if (!(max > 0)) return [];
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const rings: number[] = [];
  for (let d = step; d <= max * 1.0001; d += step) rings.push(d);
  return rings;
}

/** Radius in the drawing of the farthest point of a disk picture, when drawing it at c = 1 would put it elsewhere. */
const FARTHEST = 0.85;
/** Below this radius at c = 1 the farthest point leaves the disk mostly empty: the picture is enlarged. */
const NEAREST = 0.4;

/**
 * How a disk picture is drawn: at c = 1 (radius tanh(d/2)) unless the farthest point would crowd the boundary (radius
 * above FARTHEST) or leave most of the disk empty (below NEAREST, e.g. a student whose points all lie near the
 * origin); then every distance from the query is scaled by the same λ (the disk of curvature −λ²: λ < 1 shrinks,
 * λ > 1 enlarges), so the farthest point sits at FARTHEST. Rings are labelled with the true distances.
 */
export function diskScale(maxDistance: number): number {
  const radius = Math.tanh(maxDistance / 2);
  return radius > FARTHEST || (radius < NEAREST && maxDistance > 1e-9) ? (2 * Math.atanh(FARTHEST)) / maxDistance : 1;
}

/** Draws `picture` into `container`; `facts` gives each point's role and scores; `tip` shows hover text. Returns the disk's λ (1 for a plane). */
export function renderDisk(container: HTMLElement, picture: ProjectionResult, facts: Map<number, PointFacts>, tip: HTMLElement): number {
  clear(container);
  const disk = picture.geometry === 'poincare-disk';
  const maxDistance = Math.max(...picture.points.map((p) => p.distance), 1e-12);
  const lambda = disk ? diskScale(maxDistance) : 1;
  const scale = disk ? 1 : 0.95 / maxDistance; // the plane is scaled to fit; the disk is the unit disk
  /** The drawn radius of a point at distance d from the query. */
  const radius = (d: number): number => (disk ? Math.tanh((lambda * d) / 2) : d * scale);
  const root = svg('svg', { viewBox: '-1.3 -1.12 2.6 2.24', width: 510, height: 440, role: 'img', 'data-geometry': picture.geometry, 'data-lambda': lambda, 'aria-label': `neighbourhood of ${entityLabel(picture.entity)}` });
  root.append(svg('circle', { cx: 0, cy: 0, r: 1, class: disk ? 'boundary' : 'frame' }));
  const rings = disk ? [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20].filter((d) => d <= Math.max(1, maxDistance * 1.15) && radius(d) > 0.12 && radius(d) < 0.97) : planeRings(maxDistance);
  for (const d of rings) {
    const r = radius(d);
    root.append(svg('circle', { cx: 0, cy: 0, r, class: 'ring' }));
    const label = svg('text', { x: r * Math.SQRT1_2 + 0.01, y: -r * Math.SQRT1_2 - 0.01, class: 'ring-label' });
    label.textContent = `d=${fmt(d, d < 1 ? 2 : 0)}`;
    root.append(label);
  }
  const ordered = [...picture.points].sort((a, b) => (a.id === picture.entity.id ? 1 : 0) - (b.id === picture.entity.id ? 1 : 0)); // the query on top
  for (const p of ordered) {
    const fact = facts.get(p.id) ?? { role: p.id === picture.entity.id ? 'query' : 'neighbor' };
    const role = p.id === picture.entity.id ? 'query' : fact.role;
    const r0 = Math.hypot(p.x, p.y), r = p.distance > 0 ? radius(p.distance) : 0;
    const x = r0 > 0 ? (p.x / r0) * r : 0, y = r0 > 0 ? (-p.y / r0) * r : 0; // the projection's direction at the drawn radius; SVG's y runs down
    const lines = [entityLabel(p), role === 'query' ? 'the query entity' : `${picture.distanceName} from the query: ${fmt(p.distance, 4)}`];
    if (fact.similarity !== undefined) lines.push(`similarity: ${fmt(fact.similarity, 4)}`);
    if (fact.score !== undefined) lines.push(`model score: ${fmt(fact.score, 4)}${fact.known ? ' (known true)' : ''}`);
    const dot = svg('circle', {
      cx: x, cy: y, r: role === 'query' ? 0.035 : 0.025, class: `point ${role}${fact.known ? ' known' : ''}`,
      'data-id': p.id, 'data-key': p.key, 'data-x': p.x, 'data-y': p.y, 'data-distance': p.distance, tabindex: 0,
    });
    const title = svg('title', {});
    title.textContent = lines.join('\n');
    dot.append(title);
    const showTip = (): void => {
      tip.textContent = lines.join(' · ');
      tip.hidden = false;
    };
    dot.addEventListener('mouseenter', showTip);
    dot.addEventListener('focus', showTip);
    const hideTip = (): void => { tip.hidden = true; };
    dot.addEventListener('mouseleave', hideTip);
    dot.addEventListener('blur', hideTip); // a tip shown by the keyboard's focus goes when the focus does
    root.append(dot);
    // every point has a label; those not asked for are drawn only when the picture is enlarged (class extra)
    const label = svg('text', { x: x + 0.035, y: y + 0.012, class: `point-label ${role}${role === 'query' || fact.label ? '' : ' extra'}` });
    label.textContent = p.name ?? p.key;
    root.append(label);
  }
  container.append(root);
  return lambda;
}
