// OTLP codec throughput: our protobuf decoder and encoder (generated from proto/) against protobufjs
// reflection on the same bytes (the "bare decode baseline": it builds its own message
// objects with Long for 64-bit fields and does nothing else), plus the OTLP/JSON mapping
// and the content validation the receivers run after decoding.
import { loadavg } from 'node:os';
import type protobuf from 'protobufjs';
import { decodeProfilesRequest, decodeTracesRequest } from '../src/otlp/decode.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../src/otlp/encode.js';
import { profilesRequestFromJson, profilesRequestToJson, tracesRequestFromJson, tracesRequestToJson } from '../src/otlp/json.js';
import { validateProfilesRequest, validateTracesRequest } from '../src/otlp/validate.js';
import { OTLP_TYPES, fromModel, lookupType } from '../test/helpers/independent-proto.js';
import { performance } from 'node:perf_hooks';
import { type BenchSuite, fmt, table, time, type Timing } from './harness.js';
import { LARGE_PROFILE, realisticProfilesRequest, realisticTracesRequest } from './otlp-data.js';

const ITERATIONS = 15;
const WARMUP = 4;

interface Row {
  what: string;
  ours: Timing;
  baseline?: Timing;
  bytes: number;
  items: number;
  unit: string;
}

/**
 * Times two functions alternately (a, b, a, b, ...) so that both see the same machine
 * load; the ratio of their medians is then meaningful even on a busy machine.
 */
function timePair(a: () => unknown, b: () => unknown): [Timing, Timing] {
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < WARMUP; i++) {
    a();
    b();
  }
  for (let i = 0; i < ITERATIONS; i++) {
    let t0 = performance.now();
    a();
    sa.push(performance.now() - t0);
    t0 = performance.now();
    b();
    sb.push(performance.now() - t0);
  }
  const summary = (s: number[]): Timing => {
    s.sort((x, y) => x - y);
    return { medianMs: s[Math.floor(s.length / 2)]!, minMs: s[0]!, maxMs: s[s.length - 1]!, iterations: s.length };
  };
  return [summary(sa), summary(sb)];
}

function mbps(bytes: number, t: Timing): string {
  return `${(bytes / 2 ** 20 / (t.medianMs / 1000)).toFixed(1)} MB/s`;
}

function perSecond(items: number, t: Timing, unit: string): string {
  return `${fmt(items / (t.medianMs / 1000))} ${unit}/s`;
}

function rows(list: Row[]): string {
  if (list.every((r) => r.baseline === undefined)) {
    return table(
      ['operation', 'median ms', 'throughput', 'items'],
      list.map((r) => [r.what, r.ours.medianMs.toFixed(2), r.bytes > 0 ? mbps(r.bytes, r.ours) : '—', perSecond(r.items, r.ours, r.unit)]),
    );
  }
  return table(
    ['operation', 'ours (median ms)', 'ours', 'ours items', 'protobufjs (median ms)', 'protobufjs', 'speed-up'],
    list.map((r) => [
      r.what,
      r.ours.medianMs.toFixed(2),
      mbps(r.bytes, r.ours),
      perSecond(r.items, r.ours, r.unit),
      r.baseline ? r.baseline.medianMs.toFixed(2) : '—',
      r.baseline ? mbps(r.bytes, r.baseline) : '—',
      r.baseline ? `${(r.baseline.medianMs / r.ours.medianMs).toFixed(2)}×` : '—',
    ]),
  );
}

export const suite: BenchSuite = {
  title: 'OTLP codec (decode / encode / JSON / validate)',
  async run(): Promise<string> {
    const loadBefore = loadavg()[0]!;
    const profiles = realisticProfilesRequest();
    const traces = realisticTracesRequest(10_000);
    const pBytes = encodeProfilesRequest(profiles);
    const tBytes = encodeTracesRequest(traces);
    const pType: protobuf.Type = lookupType(OTLP_TYPES.profilesRequest);
    const tType: protobuf.Type = lookupType(OTLP_TYPES.tracesRequest);
    const pJsonText = JSON.stringify(profilesRequestToJson(profiles));
    const tJsonText = JSON.stringify(tracesRequestToJson(traces));
    const samples = LARGE_PROFILE.samples;
    const spans = 10_000;

    // protobufjs message objects for its encoder, prepared outside the timed region.
    const pMsg = pType.fromObject(fromModel(profiles) as Record<string, unknown>);
    const tMsg = tType.fromObject(fromModel(traces) as Record<string, unknown>);

    const list: Row[] = [];
    const measure = (fn: () => unknown): Promise<Timing> => time(fn, ITERATIONS, WARMUP);
    const pair = (a: () => unknown, b: () => unknown): { ours: Timing; baseline: Timing } => {
      const [ours, baseline] = timePair(a, b);
      return { ours, baseline };
    };

    list.push({
      what: `decode profiles (${fmt(samples, 0)} samples, ${(pBytes.length / 2 ** 20).toFixed(1)} MiB)`,
      ...pair(
        () => decodeProfilesRequest(pBytes),
        () => pType.decode(pBytes),
      ),
      bytes: pBytes.length,
      items: samples,
      unit: 'samples',
    });
    list.push({
      what: `decode traces (${fmt(spans, 0)} spans, ${(tBytes.length / 2 ** 20).toFixed(1)} MiB)`,
      ...pair(
        () => decodeTracesRequest(tBytes),
        () => tType.decode(tBytes),
      ),
      bytes: tBytes.length,
      items: spans,
      unit: 'spans',
    });
    list.push({
      what: 'encode profiles',
      ...pair(
        () => encodeProfilesRequest(profiles),
        () => pType.encode(pMsg).finish(),
      ),
      bytes: pBytes.length,
      items: samples,
      unit: 'samples',
    });
    list.push({
      what: 'encode traces',
      ...pair(
        () => encodeTracesRequest(traces),
        () => tType.encode(tMsg).finish(),
      ),
      bytes: tBytes.length,
      items: spans,
      unit: 'spans',
    });

    // JSON.parse alone is timed alternately with parse + our reader, so the difference is
    // what our reader adds on top of the parser every OTLP/JSON receiver needs anyway.
    const [pFrom, pParse] = timePair(
      () => profilesRequestFromJson(JSON.parse(pJsonText)),
      () => JSON.parse(pJsonText),
    );
    const [tFrom, tParse] = timePair(
      () => tracesRequestFromJson(JSON.parse(tJsonText)),
      () => JSON.parse(tJsonText),
    );
    const jsonRows: Row[] = [
      {
        what: `JSON.parse + profilesRequestFromJson (${(pJsonText.length / 2 ** 20).toFixed(1)} MiB text)`,
        ours: pFrom,
        bytes: pJsonText.length,
        items: samples,
        unit: 'samples',
      },
      { what: 'JSON.parse alone (same text, timed alternately)', ours: pParse, bytes: pJsonText.length, items: samples, unit: 'samples' },
      {
        what: 'profilesRequestToJson + JSON.stringify',
        ours: await measure(() => JSON.stringify(profilesRequestToJson(profiles))),
        bytes: pJsonText.length,
        items: samples,
        unit: 'samples',
      },
      {
        what: `JSON.parse + tracesRequestFromJson (${(tJsonText.length / 2 ** 20).toFixed(1)} MiB text)`,
        ours: tFrom,
        bytes: tJsonText.length,
        items: spans,
        unit: 'spans',
      },
      { what: 'JSON.parse alone (same text, timed alternately)', ours: tParse, bytes: tJsonText.length, items: spans, unit: 'spans' },
      {
        what: 'tracesRequestToJson + JSON.stringify',
        ours: await measure(() => JSON.stringify(tracesRequestToJson(traces))),
        bytes: tJsonText.length,
        items: spans,
        unit: 'spans',
      },
    ];
    const decodedProfiles = decodeProfilesRequest(pBytes);
    const decodedTraces = decodeTracesRequest(tBytes);
    const validateRows: Row[] = [
      {
        what: 'validateProfilesRequest (all valid)',
        ours: await measure(() => validateProfilesRequest(decodedProfiles)),
        bytes: 0,
        items: samples,
        unit: 'samples',
      },
      {
        what: 'validateTracesRequest (all valid)',
        ours: await measure(() => validateTracesRequest(decodedTraces)),
        bytes: 0,
        items: spans,
        unit: 'spans',
      },
    ];

    const d = profiles.dictionary!;
    return [
      `Profiles request: ${fmt(samples, 0)} samples (1 value + 1 timestamp each, 2 attribute indices, 70% linked), ` +
        `${d.functionTable.length} functions, ${d.locationTable.length} locations (15% with inlined lines), ` +
        `${d.stackTable.length} stacks of 8–47 frames, ${d.linkTable.length} links, ${d.attributeTable.length} attributes, ` +
        `${d.stringTable.length} strings. Traces request: ${fmt(spans, 0)} HTTP server / DB client spans with 5–7 attributes, ` +
        'status, 5% with an event. Median of ' +
        `${ITERATIONS} runs after ${WARMUP} warm-up runs; MB/s is protobuf bytes per second (JSON text bytes for JSON rows); ` +
        'speed-up = protobufjs median / ours, timed alternately in the same run.',
      '',
      '### Protobuf: ours vs protobufjs reflection',
      '',
      rows(list),
      '',
      '### OTLP/JSON',
      '',
      rows(jsonRows),
      '',
      '### Validation after decoding',
      '',
      rows(validateRows),
      '',
      `Load average (1 min) before / after the run: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} — ` +
        'absolute figures are only comparable between runs on an idle machine; the speed-up column compares ' +
        'interleaved runs, so it holds under load too.',
      '',
      'Command: `npx tsc -p tsconfig.json; node dist/bench/run.js decode`.',
    ].join('\n');
  },
};
