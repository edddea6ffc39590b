// The UI keeps its own copy of the JSON API's response types (it is bundled for the browser
// apart from the server). This file makes the build fail when the two drift: every server
// response type must be assignable to the UI's view of it.
import type * as Ui from '../../src/ui/api.js';
import type {
  CompareResult,
  HotspotResult,
  ProfileSummary,
  ProfileTypeSummary,
  SearchResult,
  SpanSummary,
  TimeseriesResult,
  TopResultJson,
} from '../../src/store/queries.js';
import type { CompareRow, DiffNode } from '../../src/store/query/compare.js';
import type { FlameNode } from '../../src/store/query/flame.js';
import type { TopRow } from '../../src/store/query/top.js';
import type { Series } from '../../src/store/query/timeseries.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
type Check<T extends true> = T;

export type ContractChecks = [
  Check<Assignable<FlameNode, Ui.FlameNode>>,
  Check<Assignable<TopRow, Ui.TopRow>>,
  Check<Assignable<ProfileSummary, Ui.Profile>>,
  Check<Assignable<ProfileTypeSummary, Ui.ProfileType>>,
  Check<Assignable<SearchResult, Ui.SearchResult>>,
  Check<Assignable<TopResultJson, Ui.TopResult>>,
  Check<Assignable<HotspotResult, Ui.HotspotsResult>>,
  Check<Assignable<SpanSummary, Ui.SpanInfo>>,
  Check<Assignable<CompareRow, Ui.CompareRow>>,
  Check<Assignable<DiffNode, Ui.DiffNode>>,
  Check<Assignable<CompareResult, Ui.CompareResult>>,
  Check<Assignable<Series, Ui.Series>>,
  Check<Assignable<TimeseriesResult, Ui.TimeseriesResult>>,
];
