import { describe, expect, it } from 'vitest';
import { diskScale } from '../../src/serve/explorer/disk-view.js';

// 2·artanh(0.85) = ln(1.85 / 0.15) = 2.5123: the hyperbolic distance drawn at radius 0.85 in the disk of curvature −1
const FARTHEST_DISTANCE = Math.log(1.85 / 0.15);

describe('diskScale: the λ the Poincaré picture is drawn with', () => {
  it('is 1 while the farthest point lies between radius 0.4 and 0.85 at c = 1', () => {
    expect(diskScale(1.5)).toBe(1); // tanh(0.75) = 0.635
    expect(diskScale(2 * Math.atanh(0.41))).toBe(1);
    expect(diskScale(2 * Math.atanh(0.84))).toBe(1);
  });

  it('shrinks a picture whose farthest point would crowd the boundary, and enlarges one whose points all lie near the query', () => {
    expect(diskScale(3)).toBeCloseTo(FARTHEST_DISTANCE / 3, 12); // tanh(1.5) = 0.905: λ = 0.837
    expect(diskScale(0.2)).toBeCloseTo(FARTHEST_DISTANCE / 0.2, 12); // tanh(0.1) = 0.0997: λ = 12.6
    for (const d of [0.2, 3, 30]) expect(Math.tanh((diskScale(d) * d) / 2)).toBeCloseTo(0.85, 12); // the farthest point drawn at 0.85
  });

  it('leaves a picture of the query alone (distance 0) at λ = 1', () => {
    expect(diskScale(0)).toBe(1);
    expect(diskScale(1e-12)).toBe(1); // renderDisk's floor for a picture of the query alone
  });
});
