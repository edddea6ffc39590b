// The JSON API's routes: parse parameters (params.ts), run the store query (through the
// store's QueryRunner, usually in a worker), shape the reply. See docs/api.md.
import type { QueryRunner } from '../store/query-runner.js';
import { QueryError } from '../store/query/errors.js';
import {
  boolParam,
  compareSortParam,
  hotspotTarget,
  intParam,
  maxNodesParam,
  param,
  selectionParams,
  stepParam,
  topParams,
  traceIdParam,
  type Params,
} from './params.js';
import { MAX_TIME_MS, parseTimeRange } from '../store/query/time.js';
import { SAMPLE_LABEL_KEYS } from '../store/query/sample-labels.js';

export type Reply = { status: number; json: unknown } | { status: number; body: Uint8Array | string; headers: Record<string, string> };

export interface RouteContext {
  params: Params;
  /** Decoded path segments captured by the route pattern. */
  captures: string[];
  now: number;
  queries: QueryRunner;
}

export interface Route {
  pattern: RegExp;
  handle(ctx: RouteContext): Promise<Reply>;
}

/** Every time a Date can hold after 1970: what "everything retained" means. */
const EVERYTHING = { from: '0', to: String(MAX_TIME_MS) };

/** The selection, with `include_idle` (CPU types leave the `(idle)` pseudo-frame out unless true). */
function selection(params: Params, now: number, options?: Parameters<typeof selectionParams>[2]) {
  return { ...selectionParams(params, now, options), includeIdle: boolParam(params, 'include_idle') };
}

/** `with_top=true`: the top table (group_by, sort, limit) in the same answer as the flame graph. */
function withTop(params: Params) {
  return boolParam(params, 'with_top') ? topParams(params) : undefined;
}

const ok = (json: unknown): Reply => ({ status: 200, json });
/** JSON already serialised where the query ran (see QueryRunner.runJson). */
const okText = (text: string): Reply => ({
  status: 200,
  body: text,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
});

export const API_ROUTES: Route[] = [
  {
    pattern: /^\/api\/v1\/profile-types$/,
    async handle({ params, now, queries }) {
      const range = parseTimeRange(param(params, 'from'), param(params, 'to'), now, EVERYTHING);
      return ok({ types: await queries.run('profileTypes', range) });
    },
  },
  {
    pattern: /^\/api\/v1\/labels$/,
    async handle({ params, now, queries }) {
      const sel = selectionParams(params, now);
      return ok(await queries.run('labelNames', sel, { limit: intParam(params, 'limit', 1000, 1, 100_000) }));
    },
  },
  {
    pattern: /^\/api\/v1\/labels\/([^/]+)\/values$/,
    async handle({ params, now, queries, captures }) {
      const sel = selectionParams(params, now);
      const name = captures[0]!;
      if (name === '') throw new QueryError('param', 'label name is empty');
      return okText(
        await queries.runJson('labelValues', name, sel, { prefix: param(params, 'prefix'), limit: intParam(params, 'limit', 1000, 1, 100_000) }),
      );
    },
  },
  {
    pattern: /^\/api\/v1\/search$/,
    async handle({ params, now, queries }) {
      const sel = selection(params, now);
      const top = withTop(params);
      // `limit` is the profile list's length here; the top table's is `top_limit`.
      const topOpt = top ? { ...top, limit: intParam(params, 'top_limit', 100, 1, 10_000) } : undefined;
      return okText(
        await queries.runJson('search', sel, { limit: intParam(params, 'limit', 100, 0, 10_000), maxNodes: maxNodesParam(params), top: topOpt }),
      );
    },
  },
  {
    pattern: /^\/api\/v1\/flame$/,
    async handle({ params, now, queries }) {
      return okText(await queries.runJson('flame', selection(params, now), { maxNodes: maxNodesParam(params), top: withTop(params) }));
    },
  },
  {
    pattern: /^\/api\/v1\/top$/,
    async handle({ params, now, queries }) {
      return okText(await queries.runJson('top', selection(params, now), topParams(params)));
    },
  },
  {
    pattern: /^\/api\/v1\/hotspots$/,
    async handle({ params, now, queries }) {
      const target = hotspotTarget(params);
      if (!target) throw new QueryError('param', 'give one of trace_id, span_id, endpoint');
      const sel = selection(params, now, { defaults: target.kind === 'endpoint' ? undefined : EVERYTHING });
      return okText(await queries.runJson('hotspots', target, sel, { ...topParams(params), maxNodes: maxNodesParam(params) }));
    },
  },
  {
    pattern: /^\/api\/v1\/spans\/slow$/,
    async handle({ params, now, queries }) {
      const range = parseTimeRange(param(params, 'from'), param(params, 'to'), now);
      const spans = await queries.run('slowSpans', {
        ...range,
        service: param(params, 'service'),
        endpoint: param(params, 'endpoint'),
        profiled: boolParam(params, 'profiled'),
        limit: intParam(params, 'limit', 50, 1, 1000),
      });
      return ok({ spans });
    },
  },
  {
    pattern: /^\/api\/v1\/traces\/([^/]+)$/,
    async handle({ captures, queries }) {
      return okText(await queries.runJson('trace', traceIdParam(captures[0]!)));
    },
  },
  {
    pattern: /^\/api\/v1\/compare$/,
    async handle({ params, now, queries }) {
      const a = selection(params, now, { prefix: 'a.' });
      const b = selection(params, now, { prefix: 'b.' });
      const top = topParams(params);
      return okText(
        await queries.runJson('compare', a, b, {
          groupBy: top.groupBy,
          limit: top.limit,
          compareSort: compareSortParam(params),
          maxNodes: maxNodesParam(params),
        }),
      );
    },
  },
  {
    pattern: /^\/api\/v1\/timeseries$/,
    async handle({ params, now, queries }) {
      const sel = selection(params, now);
      const groupBy = param(params, 'group_by');
      return okText(await queries.runJson('timeseries', sel, { step: stepParam(params), groupBy, limit: intParam(params, 'limit', 20, 1, 1000) }));
    },
  },
  {
    pattern: /^\/(?:api\/v1\/pprof|debug\/pprof\/profile)$/,
    async handle({ params, now, queries }) {
      const target = hotspotTarget(params);
      const sel = selection(params, now, { defaults: target && target.kind !== 'endpoint' ? EVERYTHING : undefined });
      // Sample labels by default for span / trace / endpoint selections (a target, or a
      // sample-level term in the query), where they say which span each sample ran under.
      const sampleSelection = (sel.query?.terms ?? []).some(
        (t) => !t.negated && Object.values(SAMPLE_LABEL_KEYS).some((keys) => keys.includes(t.key)),
      );
      const labels = boolParam(params, 'labels', target !== undefined || sampleSelection);
      const bytes = await queries.run('pprof', sel, target, { labels });
      const type = sel.type ?? 'profile';
      return {
        status: 200,
        body: bytes,
        headers: {
          'content-type': 'application/octet-stream',
          'content-disposition': `attachment; filename="${type}.pb.gz"`,
        },
      };
    },
  },
];
