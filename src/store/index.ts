// The embedded profile store's public pieces.
export { Store, DATABASE_FILE, type StoreOptions } from './store.js';
export { StoreExporter, storeExporterFactory, isStoreExporter } from './exporter.js';
export { storeConfigSchema, type StoreConfig } from './config.js';
export type { QueryRunner, QueryMethod, QueryArgs, QueryResult } from './query-runner.js';
export type {
  Selection,
  HotspotTarget,
  ProfileSummary,
  ProfileTypeSummary,
  SearchResult,
  FlameResult,
  TopResultJson,
  HotspotResult,
  SpanSummary,
  CompareResult,
  TimeseriesResult,
} from './queries.js';
export { QueryError, isQueryError, type QueryErrorReason } from './query/errors.js';
export { parseTagQuery, compileTagQuery, formatTagQuery, LABEL_ALIASES, type TagQuery, type TagTerm } from './query/tag-query.js';
export { parseTime, parseTimeRange, parseDurationMs, type TimeRange } from './query/time.js';
export { buildFlameTree, type FlameNode, type FlameTree } from './query/flame.js';
export { topFunctions, classOf, parseGroupBy, parseTopSort, GROUP_BY, type GroupBy, type TopRow, type TopSort } from './query/top.js';
export { compareRows, diffTrees, parseCompareSort, type CompareRow, type DiffNode, type CompareSort } from './query/compare.js';
export { bucketSeries, defaultStep, type Series } from './query/timeseries.js';
export { stacksToPprof } from './query/to-pprof.js';
export type { FrameInfo, StackValue, FrameTable } from './query/types.js';
