// A multi-series line chart (time on x) in plain SVG with d3 scales and axes, a legend,
// and a hover rule that lists every series' value at the nearest point.
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleTime } from 'd3-scale';
import { select } from 'd3-selection';
import { h } from '../dom.js';
import { onDispose } from '../lifecycle.js';
import { formatTime } from '../format.js';

export interface ChartSeries {
  name: string;
  points: [number, number][];
}

export interface LineChartOptions {
  series: ChartSeries[];
  yFormat: (v: number) => string;
  yLabel: string;
  height?: number;
  testId?: string;
  /**
   * Points from this time on belong to a bucket still filling (it reaches past the range's
   * end, and its profiles arrive after their window): drawn dashed on a shaded band marked
   * "partial", so the drop is not read as a fall to zero.
   */
  partialFrom?: number | null;
}

const MARGIN = { top: 12, right: 16, bottom: 28, left: 64 };

// d3's Tableau 10, inlined: importing d3-scale-chromatic pulls in every scheme it builds.
const PALETTE = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];

export function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export function lineChart(opts: LineChartOptions): HTMLElement {
  const height = opts.height ?? 240;
  const plot = h('div', { class: 'chart-plot' });
  const tip = h('div', { class: 'chart-tip', hidden: true });
  const legend = h(
    'ul',
    { class: 'legend' },
    ...opts.series.map((s, i) =>
      h('li', null, h('span', { class: 'swatch', style: `background:${colorOf(i)}` }), h('span', { class: 'legend-name' }, s.name || '(none)')),
    ),
  );
  const root = h('div', { class: 'chart', 'data-testid': opts.testId ?? null }, h('div', { class: 'chart-ylabel' }, opts.yLabel), plot, tip, legend);

  let width = 0;
  const draw = () => {
    width = Math.max(320, Math.floor(plot.clientWidth));
    plot.replaceChildren();
    const all = opts.series.flatMap((s) => s.points);
    if (all.length === 0) return;
    const xs = all.map((p) => p[0]);
    const x = scaleTime()
      .domain([Math.min(...xs), Math.max(...xs)])
      .range([MARGIN.left, width - MARGIN.right]);
    const yMax = Math.max(0, ...all.map((p) => p[1]));
    const y = scaleLinear()
      .domain([0, yMax === 0 ? 1 : yMax])
      .nice()
      .range([height - MARGIN.bottom, MARGIN.top]);
    const svg = select(plot).append('svg').attr('width', width).attr('height', height).attr('role', 'img');
    svg
      .append('g')
      .attr('class', 'axis')
      .attr('transform', `translate(0,${height - MARGIN.bottom})`)
      .call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))));
    svg
      .append('g')
      .attr('class', 'axis')
      .attr('transform', `translate(${MARGIN.left},0)`)
      .call(
        axisLeft(y)
          .ticks(5)
          .tickFormat((v) => opts.yFormat(Number(v))),
      )
      .call((g) =>
        g
          .selectAll('.tick line')
          .clone()
          .attr('x2', width - MARGIN.left - MARGIN.right)
          .attr('class', 'grid'),
      );
    // A polyline is all a series needs (d3-shape would add 15 KiB for this).
    const path = (ps: [number, number][]) => ps.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    const partialFrom = opts.partialFrom ?? Infinity;
    if (partialFrom <= Math.max(...xs)) {
      // From the last full point on: the dashed stretch the partial bucket's value ends.
      const before = xs.filter((t) => t < partialFrom);
      const x0 = x(before.length > 0 ? Math.max(...before) : partialFrom);
      const x1 = x(Math.max(...xs));
      const band = svg.append('g').attr('class', 'partial-band').attr('data-testid', 'partial-bucket');
      band
        .append('rect')
        .attr('x', x0)
        .attr('y', MARGIN.top)
        .attr('width', Math.max(2, x1 - x0))
        .attr('height', height - MARGIN.top - MARGIN.bottom);
      band
        .append('text')
        .attr('x', x1 - 4)
        .attr('y', MARGIN.top + 12)
        .attr('text-anchor', 'end')
        .text('partial');
      band.append('title').text('This bucket is still filling: it reaches past the end of the range, and profiles arrive after their window.');
    }
    opts.series.forEach((s, i) => {
      const full = s.points.filter((p) => p[0] < partialFrom);
      const rest = s.points.filter((p) => p[0] >= partialFrom);
      svg.append('path').attr('class', 'series').attr('fill', 'none').attr('stroke', colorOf(i)).attr('stroke-width', 2).attr('d', path(full));
      if (rest.length > 0) {
        const tail = full.length > 0 ? [full[full.length - 1]!, ...rest] : rest;
        svg
          .append('path')
          .attr('class', 'series-partial')
          .attr('fill', 'none')
          .attr('stroke', colorOf(i))
          .attr('stroke-width', 2)
          .attr('stroke-dasharray', '4 4')
          .attr('d', path(tail));
      }
    });
    const rule = svg
      .append('line')
      .attr('class', 'rule')
      .attr('y1', MARGIN.top)
      .attr('y2', height - MARGIN.bottom)
      .attr('visibility', 'hidden');
    const times = [...new Set(xs)].sort((a, b) => a - b);
    svg
      .append('rect')
      .attr('x', MARGIN.left)
      .attr('y', MARGIN.top)
      .attr('width', Math.max(0, width - MARGIN.left - MARGIN.right))
      .attr('height', height - MARGIN.top - MARGIN.bottom)
      .attr('fill', 'transparent')
      .on('mousemove', (ev: MouseEvent) => {
        const [mx] = [ev.offsetX];
        const t = x.invert(mx).getTime();
        let best = times[0]!;
        for (const tt of times) if (Math.abs(tt - t) < Math.abs(best - t)) best = tt;
        rule.attr('x1', x(best)).attr('x2', x(best)).attr('visibility', 'visible');
        tip.hidden = false;
        tip.replaceChildren(
          h('div', { class: 'muted' }, formatTime(best), best >= partialFrom ? ' (partial bucket, still filling)' : ''),
          ...opts.series.map((s, i) => {
            const v = s.points.find((p) => p[0] === best)?.[1] ?? 0;
            return h('div', null, h('span', { class: 'swatch', style: `background:${colorOf(i)}` }), `${s.name || '(none)'}: ${opts.yFormat(v)}`);
          }),
        );
        tip.style.left = `${Math.min(x(best) + 12, width - 200)}px`;
      })
      .on('mouseleave', () => {
        rule.attr('visibility', 'hidden');
        tip.hidden = true;
      });
  };
  const ro = new ResizeObserver(() => {
    if (plot.clientWidth > 0 && Math.abs(Math.floor(plot.clientWidth) - width) > 4) draw();
  });
  ro.observe(plot);
  onDispose(() => ro.disconnect());
  return root;
}
