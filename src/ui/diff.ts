// A compare answer's diff tree as flame graph frames: width = the frame's average share of
// A and B (so frames that vanished or appeared both stay visible), colour = how its share
// changed (red grew, green shrank, grey about the same). Pure.
import { interpolateRgb } from 'd3-interpolate';
import type { DiffNode } from './api.js';
import type { FrameDatum } from './components/flame-graph.js';
import { formatPercent, formatPoints, formatValue, location } from './format.js';

export const GREW = '#dc2626';
export const SHRANK = '#16a34a';
export const SAME = '#d6d3cd';
/** Relative changes below this are drawn as unchanged. */
const MIN_CHANGE = 0.05;
/** Width units per 100% share (d3-flame-graph works with plain numbers). */
const SCALE = 1e6;

function share(v: number, total: number): number {
  return total > 0 ? v / total : 0;
}

/** Change of a frame's share relative to its larger share: -1 (gone) … 0 … +1 (new). */
export function relativeChange(totalA: number, totalB: number, sumA: number, sumB: number): number {
  const a = share(totalA, sumA);
  const b = share(totalB, sumB);
  const m = Math.max(a, b);
  return m === 0 ? 0 : (b - a) / m;
}

export function diffColor(change: number): string {
  const c = Math.abs(change);
  if (c < MIN_CHANGE) return SAME;
  // Start a little tinted so a small real change is still visibly not grey.
  const t = 0.25 + 0.75 * Math.min(1, c);
  return interpolateRgb(SAME, change > 0 ? GREW : SHRANK)(t);
}

export function diffFrames(node: DiffNode, unit: string, sumA: number, sumB: number): FrameDatum {
  const sa = share(node.totalA, sumA);
  const sb = share(node.totalB, sumB);
  const change = relativeChange(node.totalA, node.totalB, sumA, sumB);
  const loc = location(node.file, node.line);
  const status = node.totalA === 0 && node.totalB > 0 ? ' (new in B)' : node.totalB === 0 && node.totalA > 0 ? ' (gone in B)' : '';
  return {
    name: node.name,
    value: ((sa + sb) / 2) * SCALE,
    file: node.file,
    line: node.line,
    color: diffColor(change),
    tooltip:
      `${node.name}${status}${loc ? `\n${loc}` : ''}\n` +
      `A ${formatValue(node.totalA, unit)} (${formatPercent(node.totalA, sumA)}) → B ${formatValue(node.totalB, unit)} (${formatPercent(node.totalB, sumB)})` +
      ` · share ${formatPoints(sb - sa)}`,
    children: node.children.map((c) => diffFrames(c, unit, sumA, sumB)),
  };
}
