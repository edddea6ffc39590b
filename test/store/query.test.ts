// The store's pure query functions: tag query language, times, flame trees, top tables,
// compare, time series, heavy hitters. Example tests with worked answers plus properties.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTagQuery, formatTagQuery, labelKeysFor, parseTagQuery, type TagQuery } from '../../src/store/query/tag-query.js';
import { parseDurationMs, parseTime, parseTimeRange } from '../../src/store/query/time.js';
import { buildFlameTree, type FlameNode } from '../../src/store/query/flame.js';
import { classOf, topFunctions } from '../../src/store/query/top.js';
import { compareRows, diffTrees, type DiffNode } from '../../src/store/query/compare.js';
import { bucketSeries, MAX_BUCKETS } from '../../src/store/query/timeseries.js';
import { QueryError } from '../../src/store/query/errors.js';
import type { FrameInfo, StackValue } from '../../src/store/query/types.js';
import { HeavyHitters, TopKeys } from '../../src/store/topn.js';
import { valueScale } from '../../src/store/ingest/extract.js';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof QueryError, `a QueryError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_QUERY');
    return e.reason;
  }
  assert.fail('expected a QueryError');
}

describe('tag query', () => {
  it('parses terms, several values, negation, quoting and presence', () => {
    const q = parseTagQuery(' service:checkout version:1.3,1.4  -host:web-2 env:"prod eu" "k8s.pod.name":"a,b" region:* -zone:* v:"say \\"hi\\""');
    assert.deepEqual(q.terms, [
      { key: 'service', values: ['checkout'], any: false, negated: false },
      { key: 'version', values: ['1.3', '1.4'], any: false, negated: false },
      { key: 'host', values: ['web-2'], any: false, negated: true },
      { key: 'env', values: ['prod eu'], any: false, negated: false },
      { key: 'k8s.pod.name', values: ['a,b'], any: false, negated: false },
      { key: 'region', values: [], any: true, negated: false },
      { key: 'zone', values: [], any: true, negated: true },
      { key: 'v', values: ['say "hi"'], any: false, negated: false },
    ]);
    assert.deepEqual(parseTagQuery('').terms, []);
    assert.deepEqual(parseTagQuery(undefined).terms, []);
    assert.deepEqual(parseTagQuery('url:http://x:80/a').terms[0]!.values, ['http://x:80/a'], 'colons after the first belong to the value');
  });

  it('rejects malformed queries with reason syntax', () => {
    for (const bad of ['checkout', 'service:', 'host:"web', 'host:web-1,', ':x', 'a:b"c', 'a:x,*', '-', 'a:b c']) {
      assert.equal(
        reasonOf(() => parseTagQuery(bad)),
        'syntax',
        bad,
      );
    }
  });

  it('matches label sets: AND across terms, OR within one, negation, presence, aliases', () => {
    const known = new Set(['service.name', 'service.version', 'host.name', 'deployment.environment']);
    const match = (q: string, labels: Record<string, string>) => compileTagQuery(parseTagQuery(q), known)(labels);
    const web1 = { 'service.name': 'checkout', 'service.version': '1.4', 'host.name': 'web-1', 'deployment.environment': 'prod' };
    assert.equal(match('service:checkout version:1.3,1.4', web1), true);
    assert.equal(match('service:checkout version:1.3', web1), false);
    assert.equal(match('-host:web-2', web1), true);
    assert.equal(match('-host:web-1', web1), false);
    assert.equal(match('-region:eu', web1), true, 'a negation matches a profile without the label');
    assert.equal(match('region:*', web1), false);
    assert.equal(match('-region:*', web1), true);
    assert.equal(match('env:prod', web1), true, 'env falls back to deployment.environment');
    assert.equal(match('host.name:web-1', web1), true);
    assert.deepEqual(labelKeysFor('host', new Set(['host'])), ['host'], 'a stored label named like an alias wins');
  });

  it('formats back to a query that parses to the same terms (property)', () => {
    const text = fc.string({ maxLength: 8 });
    const term = fc.record({
      key: text.filter((s) => s.length > 0),
      values: fc.array(text, { minLength: 1, maxLength: 3 }),
      any: fc.constant(false),
      negated: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 4 }), (generated) => {
        // fast-check builds records without a prototype; compare plain objects.
        const q: TagQuery = { terms: generated.map((t) => ({ ...t, values: [...t.values] })) };
        assert.deepEqual(parseTagQuery(formatTagQuery(q)), q);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws anything but a QueryError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseTagQuery(s);
        } catch (e) {
          assert.ok(e instanceof QueryError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('times', () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0);
  it('reads RFC 3339, unix ms and now-relative times', () => {
    assert.equal(parseTime('2025-06-01T11:00:00Z', now, 'from'), now - 3_600_000);
    assert.equal(parseTime('2025-06-01T13:00:00.500+02:00', now, 'from'), now - 3_600_000 + 500);
    assert.equal(parseTime(String(now - 5), now, 'from'), now - 5);
    assert.equal(parseTime('now', now, 'to'), now);
    assert.equal(parseTime('now-1h30m', now, 'from'), now - 5_400_000);
    assert.equal(parseTime('now-7d', now, 'from'), now - 7 * 86_400_000);
    assert.equal(parseTime('now+1w', now, 'to'), now + 7 * 86_400_000);
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('1m'), 60_000);
    assert.equal(parseDurationMs('1x'), undefined);
  });
  it('rejects unreadable and inverted ranges', () => {
    for (const bad of ['yesterday', 'now-', 'now-1y', '2025-06-01', '2025-06-01T12:00:00', '12:00']) {
      assert.equal(
        reasonOf(() => parseTime(bad, now, 'from')),
        'time_range',
        bad,
      );
    }
    assert.equal(
      reasonOf(() => parseTimeRange('now', 'now-1m', now)),
      'time_range',
    );
    assert.deepEqual(parseTimeRange(undefined, undefined, now), { from: now - 3_600_000, to: now });
  });
});

// ------------------------------------------------------------------ trees and tables

const FRAMES = new Map<number, FrameInfo>([
  [1, { name: 'main', file: 'main.go', line: 12, startLine: 10 }],
  [2, { name: 'handle', file: 'server.go', line: 44, startLine: 40 }],
  [3, { name: 'parse', file: 'json.go', line: 9, startLine: 5 }],
  [4, { name: 'parse', file: 'json.go', line: 12, startLine: 5 }],
  [5, { name: 'a.B.c', file: 'b.js', line: 1, startLine: 1 }],
  [6, { name: 'a.B.d', file: 'b.js', line: 2, startLine: 2 }],
]);
const sv = (frames: number[], value: number): StackValue => ({ frames, value });

describe('flame tree', () => {
  it('merges by function (lines of one function merge) with totals and self', () => {
    const t = buildFlameTree([sv([3, 2, 1], 5), sv([4, 2, 1], 7), sv([2, 1], 1), sv([5], 2)], FRAMES);
    assert.equal(t.root.total, 15);
    const main = t.root.children[0]!;
    assert.deepEqual([main.name, main.total, main.self, main.line], ['main', 13, 0, 10]);
    const handle = main.children[0]!;
    assert.deepEqual([handle.total, handle.self], [13, 1]);
    assert.deepEqual(
      handle.children.map((c) => [c.name, c.total, c.self]),
      [['parse', 12, 12]],
    );
    assert.deepEqual(
      t.root.children.map((c) => c.name),
      ['main', 'a.B.c'],
    );
  });

  const stacks = fc.array(
    fc.record({ frames: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }), value: fc.integer({ min: 1, max: 1000 }) }),
    { maxLength: 40 },
  );

  it('keeps total = self + children and root = sum of values (property)', () => {
    fc.assert(
      fc.property(stacks, (list) => {
        const t = buildFlameTree(list, FRAMES);
        assert.equal(t.truncated, false);
        assert.equal(
          t.root.total,
          list.reduce((s, x) => s + x.value, 0),
        );
        const check = (n: FlameNode) => {
          assert.equal(n.total, n.self + n.children.reduce((s, c) => s + c.total, 0));
          n.children.forEach(check);
        };
        check(t.root);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the heaviest connected nodes when bounded (property)', () => {
    fc.assert(
      fc.property(stacks, fc.integer({ min: 1, max: 12 }), (list, maxNodes) => {
        const full = buildFlameTree(list, FRAMES, { maxNodes: 1e9 });
        const cut = buildFlameTree(list, FRAMES, { maxNodes });
        assert.ok(cut.nodes <= maxNodes);
        assert.equal(cut.truncated, full.nodes > maxNodes);
        const weights = (n: FlameNode, out: number[] = []) => (out.push(n.total), n.children.forEach((c) => weights(c, out)), out);
        const kept = weights(cut.root).sort((a, b) => b - a);
        const all = weights(full.root).sort((a, b) => b - a);
        assert.deepEqual(kept, all.slice(0, kept.length), 'the kept nodes are the heaviest ones');
      }),
      { numRuns: 150 },
    );
  });
});

describe('top functions', () => {
  it('counts recursion once in total and groups by function, line, module and class', () => {
    const stacks = [sv([3, 2, 3, 1], 4), sv([4, 1], 6), sv([5, 6], 3), sv([6], 1)];
    const fn = topFunctions(stacks, FRAMES);
    const by = Object.fromEntries(fn.rows.map((r) => [r.name, [r.self, r.total]]));
    assert.deepEqual(by.parse, [10, 10], 'parse twice on one stack still counts the sample once');
    assert.deepEqual(by.main, [0, 10]);
    assert.deepEqual(by['a.B.d'], [1, 4]);
    assert.equal(fn.total, 14);
    const line = topFunctions(stacks, FRAMES, { groupBy: 'line' });
    assert.deepEqual(
      line.rows
        .filter((r) => r.name === 'parse')
        .map((r) => [r.line, r.self])
        .sort(),
      [
        [12, 6],
        [9, 4],
      ].sort(),
    );
    const mod = topFunctions(stacks, FRAMES, { groupBy: 'module' });
    assert.deepEqual(
      mod.rows.find((r) => r.name === 'b.js'),
      { name: 'b.js', file: 'b.js', line: 0, self: 4, total: 4 },
    );
    const cls = topFunctions(stacks, FRAMES, { groupBy: 'class' });
    assert.deepEqual(
      cls.rows.find((r) => r.name === 'a.B'),
      { name: 'a.B', file: '', line: 0, self: 4, total: 4 },
    );
  });

  it('finds classes before the last . or ::', () => {
    assert.equal(classOf('com.shop.Cart.add'), 'com.shop.Cart');
    assert.equal(classOf('Cart::add'), 'Cart');
    assert.equal(classOf('ns::Cart.add'), 'ns::Cart');
    assert.equal(classOf('a.b::c'), 'a.b');
    assert.equal(classOf('main'), 'main');
    assert.equal(classOf('.hidden'), '.hidden');
  });

  it('has self summing to the total and total >= self per group (property)', () => {
    const stacks = fc.array(
      fc.record({ frames: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }), value: fc.integer({ min: 1, max: 1000 }) }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(stacks, fc.constantFrom('function', 'line', 'module', 'class' as const), (list, groupBy) => {
        const t = topFunctions(list, FRAMES, { groupBy });
        assert.equal(
          t.rows.reduce((s, r) => s + r.self, 0),
          t.total,
        );
        for (const r of t.rows) assert.ok(r.total >= r.self && r.total <= t.total);
      }),
      { numRuns: 150 },
    );
  });
});

describe('compare', () => {
  it('joins rows and computes absolute and normalised deltas', () => {
    const rows = compareRows(
      [
        { name: 'f', file: 'x', line: 0, self: 30, total: 50 },
        { name: 'g', file: 'x', line: 0, self: 70, total: 70 },
      ],
      [
        { name: 'f', file: 'x', line: 0, self: 120, total: 150 },
        { name: 'h', file: 'y', line: 0, self: 80, total: 80 },
      ],
      100,
      200,
    );
    const f = rows.find((r) => r.name === 'f')!;
    assert.deepEqual([f.selfDelta, f.totalDelta], [90, 100]);
    assert.ok(Math.abs(f.selfNormalizedDelta - (0.6 - 0.3)) < 1e-12);
    assert.ok(Math.abs(f.totalNormalizedDelta - (0.75 - 0.5)) < 1e-12);
    assert.deepEqual(
      rows.map((r) => r.name),
      ['g', 'h', 'f'],
      'g -0.7, h +0.4, f +0.3',
    );
  });

  it('has self shares that cancel out when both sides have data (property)', () => {
    const side = fc.array(
      fc.record({ frames: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }), value: fc.integer({ min: 1, max: 100 }) }),
      { minLength: 1, maxLength: 20 },
    );
    fc.assert(
      fc.property(side, side, (a, b) => {
        const ta = topFunctions(a, FRAMES);
        const tb = topFunctions(b, FRAMES);
        const rows = compareRows(ta.rows, tb.rows, ta.total, tb.total);
        assert.ok(Math.abs(rows.reduce((s, r) => s + r.selfNormalizedDelta, 0)) < 1e-9);
        assert.equal(
          rows.reduce((s, r) => s + r.selfDelta, 0),
          tb.total - ta.total,
        );
        const diff = diffTrees(a, b, FRAMES).root;
        assert.equal(diff.delta, tb.total - ta.total);
        // Every diff node carries exactly what each side's own tree has at that path.
        const paths = (n: { name: string; total: number; children: any[] }, prefix = '', out = new Map<string, number>()) => {
          out.set(prefix + n.name, n.total);
          n.children.forEach((c) => paths(c, `${prefix}${n.name}/`, out));
          return out;
        };
        const pa = paths(buildFlameTree(a, FRAMES).root);
        const pb = paths(buildFlameTree(b, FRAMES).root);
        const walk = (n: DiffNode, prefix = '') => {
          assert.equal(n.totalA, pa.get(prefix + n.name) ?? 0);
          assert.equal(n.totalB, pb.get(prefix + n.name) ?? 0);
          n.children.forEach((c) => walk(c, `${prefix}${n.name}/`));
        };
        walk(diff);
      }),
      { numRuns: 100 },
    );
  });
});

describe('time series', () => {
  const at = (startMs: number, total: number, version?: string) => ({
    startMs,
    total,
    labels: (version ? { 'service.version': version } : {}) as Record<string, string>,
  });
  it('buckets by start time, fills empty buckets and folds small groups into other', () => {
    const s = bucketSeries([at(0, 1, 'a'), at(59_999, 2, 'a'), at(60_000, 4, 'b'), at(180_000, 8, 'c'), at(200_000, 16)], {
      from: 0,
      to: 239_999,
      step: 60_000,
      groupBy: { label: 'service.version', keys: ['service.version'] },
      limit: 2,
    });
    assert.deepEqual(
      s.map((x) => [x.labels['service.version'], x.total, x.points.map((p) => p[1])]),
      [
        ['', 16, [0, 0, 0, 16]],
        ['c', 8, [0, 0, 0, 8]],
        ['other', 7, [3, 4, 0, 0]],
      ],
    );
  });
  it('refuses too many buckets', () => {
    assert.equal(
      reasonOf(() => bucketSeries([], { from: 0, to: MAX_BUCKETS * 10, step: 1 })),
      'time_range',
    );
  });
});

describe('bounded label sets', () => {
  it('keeps the heavy hitters and at most 2N keys with their own series', () => {
    const t = new TopKeys(3);
    let exposedMax = 0;
    for (let round = 0; round < 50; round++) {
      const weights: [string, number][] = [
        ['hot-a', 100],
        ['hot-b', 90],
        ['hot-c', 80],
      ];
      for (let k = 0; k < 5; k++) weights.push([`cold-${round}-${k}`, 1 + k]);
      t.update(weights);
      exposedMax = Math.max(exposedMax, t.keys().length);
    }
    assert.ok(exposedMax <= 6, `at most 2N keys: ${exposedMax}`);
    for (const k of ['hot-a', 'hot-b', 'hot-c']) assert.equal(t.label(k), k);
    assert.equal(t.label('cold-0-0'), 'other');
    const h = new HeavyHitters(2);
    for (let i = 0; i < 100; i++) {
      h.add('a', 5);
      h.add(`cold-${i}`, 1);
    }
    assert.deepEqual(h.top(1), ['a']);
    assert.equal(h.weight('a'), 500, 'a key that stays heavy is counted exactly');
  });
});

describe('value normalisation', () => {
  it('turns times into nanoseconds and counted CPU samples into count × period', () => {
    assert.deepEqual(valueScale('count', 'cpu', 'nanoseconds', 10_000_000), { scale: 10_000_000, unit: 'nanoseconds' });
    assert.deepEqual(valueScale('samples', 'wall', 'microseconds', 1000), { scale: 1_000_000, unit: 'nanoseconds' });
    assert.deepEqual(valueScale('nanoseconds', 'cpu', 'nanoseconds', 10), { scale: 1, unit: 'nanoseconds' });
    assert.deepEqual(valueScale('milliseconds', '', '', 0), { scale: 1e6, unit: 'nanoseconds' });
    assert.deepEqual(valueScale('bytes', 'space', 'bytes', 524288), { scale: 1, unit: 'bytes' });
    assert.deepEqual(valueScale('count', 'space', 'bytes', 524288), { scale: 1, unit: 'count' });
  });
});
