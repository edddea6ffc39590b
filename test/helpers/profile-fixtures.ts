// Hand-built OTLP profiles requests with known pprof outcomes, for the converter, the file
// exporter and the convert CLI. Everything the converter must handle appears once: inline
// frames, several mappings (with and without build ids), duplicate dictionary entries,
// string / numeric / bool / double attributes, three sample types sharing one dictionary,
// an empty stack, span links (and the eBPF profiler's empty link), timestamp-only samples.
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';

export const T0 = 1_764_065_700_123_000_000n; // 2025-11-25T10:15:00.123Z
export const TRACE_ID_HEX = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID_HEX = 'b7ad6b7169203331';
/** SPAN_ID_HEX as an unsigned 64-bit decimal. */
export const SPAN_ID_DEC = '13235353014750950193';
export const ROOT_SPAN_ID_HEX = '00f067aa0ba902b7';
export const ROOT_SPAN_ID_DEC = '67667974448284343';
export const CPU_PROFILE_ID_HEX = '0102030405060708090a0b0c0d0e0f10';

export interface RichFixture {
  request: ExportProfilesServiceRequest;
  /** Resolved expectations, one per profile in request order. */
  expected: {
    profileType: string;
    sampleType: { type: string; unit: string };
    /** Total of the single sample type. */
    total: number;
  }[];
}

/**
 * One resource (`checkout` on host `h1`), one scope, three profiles:
 *  0. cpu: samples/count with a cpu/nanoseconds period, profile id set;
 *  1. alloc_space/bytes, no period;
 *  2. wall: sample/count with a wall period, no start time and no id (timestamps only).
 */
export function richRequest(): RichFixture {
  const b = new DictionaryBuilder();
  const d = b.dictionary;
  const mApp = b.mapping({
    memoryStart: 0x400000n,
    memoryLimit: 0x500000n,
    fileOffset: 0x1000n,
    filenameStrindex: b.string('/usr/bin/app'),
    attributeIndices: [b.attribute('process.executable.build_id.gnu', 'deadbeefcafe')],
  });
  const mLibc = b.mapping({
    memoryStart: 0x7f0000000000n,
    memoryLimit: 0x7f0000100000n,
    fileOffset: 0n,
    filenameStrindex: b.string('/lib/libc.so.6'),
    // No gnu id: the go build id is preferred over the htlhash.
    attributeIndices: [b.attribute('process.executable.build_id.htlhash', 'htl0001'), b.attribute('process.executable.build_id.go', 'go-build-libc')],
  });
  const mVdso = b.mapping({ memoryStart: 0x7fff0000n, memoryLimit: 0x7fff2000n, fileOffset: 0n, filenameStrindex: b.string('[vdso]') });

  const fMain = b.function('main', 'main.go', 10);
  const fHandle = b.function('handle', 'server.go', 40);
  const fParse = b.function('parse', 'parse.go', 100);
  // Known only by its system name.
  const fMalloc = b.function('', '', 0, '__libc_malloc');

  const lInl = b.location(
    [
      { functionIndex: fParse, line: 105, column: 7 },
      { functionIndex: fHandle, line: 42, column: 3 },
    ],
    mApp,
    0x401000n,
  );
  const lMain = b.location([{ functionIndex: fMain, line: 12, column: 0 }], mApp, 0x402000n);
  const lMalloc = b.location([{ functionIndex: fMalloc, line: 0, column: 0 }], mLibc, 0x7f0000001000n);
  const lVdso = b.location([], mVdso, 0x7fff0100n);
  // Equal by value to fMain / lMain at other indices: must collapse into one pprof entry.
  d.stringTable.push('main');
  const fMainDup =
    d.functionTable.push({ nameStrindex: d.stringTable.length - 1, systemNameStrindex: 0, filenameStrindex: b.string('main.go'), startLine: 10 }) - 1;
  const lMainDup =
    d.locationTable.push({
      mappingIndex: mApp,
      address: 0x402000n,
      lines: [{ functionIndex: fMainDup, line: 12, column: 0 }],
      attributeIndices: [],
    }) - 1;

  const sInlMain = b.stack([lInl, lMain]);
  const sMalloc = b.stack([lMalloc, lInl, lMain]);
  const sVdso = b.stack([lVdso, lMainDup]);

  const link = b.link(Buffer.from(TRACE_ID_HEX, 'hex'), Buffer.from(SPAN_ID_HEX, 'hex'));
  // The eBPF profiler's "no link": zero-length ids.
  const emptyLink = d.linkTable.push({ traceId: new Uint8Array(0), spanId: new Uint8Array(0) }) - 1;

  const aThread = b.attribute('thread.name', 'worker');
  const aTid = b.attribute('thread.id', 7);
  const aSpanName = b.attribute('span.name', 'SELECT users');
  const aEndpoint = b.attribute('trace.endpoint', 'GET /users/:id');
  const aRoot = b.attribute('local_root_span.id', ROOT_SPAN_ID_HEX);
  const aFlag = b.attribute('gc', true);
  const aRatio = b.attribute('ratio', 0.5);
  const aSize = b.attribute('alloc.size', 4096, 'By');
  const aSource = b.attribute('profile.source', 'fixture');
  const aServiceOverride = b.attribute('service.name', 'not-this-one');

  const cpu = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10_000_000,
    timeUnixNano: T0,
    durationNano: 10_000_000_000n,
    profileId: Buffer.from(CPU_PROFILE_ID_HEX, 'hex'),
    attributeIndices: [aSource, aServiceOverride],
    samples: [
      makeSample({ stackIndex: sInlMain, values: [5], linkIndex: link, attributeIndices: [aThread, aTid, aSpanName, aEndpoint, aRoot] }),
      // Same identity, attributes in another order: merged with the first (5 + 2).
      makeSample({ stackIndex: sInlMain, values: [2], linkIndex: link, attributeIndices: [aRoot, aEndpoint, aSpanName, aTid, aThread] }),
      makeSample({ stackIndex: sVdso, values: [1] }),
      makeSample({ stackIndex: 0, values: [4] }),
      makeSample({ stackIndex: sMalloc, values: [1, 2], attributeIndices: [aFlag, aRatio] }),
      makeSample({ stackIndex: sInlMain, values: [], timestampsUnixNano: [T0 + 1n, T0 + 2n], linkIndex: emptyLink }),
    ],
  });
  const alloc = makeProfile({
    sampleType: b.valueType('alloc_space', 'bytes'),
    timeUnixNano: T0,
    samples: [
      makeSample({ stackIndex: sMalloc, values: [4096], attributeIndices: [aSize] }),
      makeSample({ stackIndex: sMalloc, values: [100], attributeIndices: [aSize] }),
      makeSample({ stackIndex: sInlMain, values: [64] }),
    ],
  });
  const wall = makeProfile({
    sampleType: b.valueType('sample', 'count'),
    periodType: b.valueType('wall', 'nanoseconds'),
    period: 1_000_000,
    samples: [
      makeSample({ stackIndex: sInlMain, timestampsUnixNano: [T0 + 5_000_000n, T0 + 1_000_000n, T0 + 3_000_000n] }),
      makeSample({ stackIndex: sMalloc, timestampsUnixNano: [T0 + 2_000_000n] }),
    ],
  });

  const resource = makeResource({ 'service.name': 'checkout', 'host.name': 'h1', 'process.pid': 123 });
  const scope = makeScope('fixture-profiler', '1.0');
  // A profiles-only string-indexed key and value.
  scope.attributes.push({ key: '', keyStrindex: b.string('deployment.environment.name'), value: { stringValueStrindex: b.string('prod') } });
  const request = makeProfilesRequest(d, [cpu, alloc, wall], resource, scope);
  return {
    request,
    expected: [
      { profileType: 'cpu', sampleType: { type: 'samples', unit: 'count' }, total: 5 + 2 + 1 + 4 + 3 + 2 },
      { profileType: 'alloc_space', sampleType: { type: 'alloc_space', unit: 'bytes' }, total: 4096 + 100 + 64 },
      { profileType: 'wall', sampleType: { type: 'sample', unit: 'count' }, total: 4 },
    ],
  };
}

/** A small single-profile request for `service`, with one linked sample. */
export function simpleRequest(service = 'svc', value = 3): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const f = b.function('hot', 'hot.js', 1);
  const g = b.function('caller', 'caller.js', 5);
  const st = b.stack([b.location([{ functionIndex: f, line: 2, column: 0 }]), b.location([{ functionIndex: g, line: 6, column: 0 }])]);
  const link = b.link(Buffer.from(TRACE_ID_HEX, 'hex'), Buffer.from(SPAN_ID_HEX, 'hex'));
  const p = makeProfile({
    sampleType: b.valueType('cpu', 'nanoseconds'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10_000_000,
    timeUnixNano: T0,
    durationNano: 1_000_000_000n,
    samples: [makeSample({ stackIndex: st, values: [value], linkIndex: link })],
  });
  return makeProfilesRequest(b.dictionary, [p], makeResource({ 'service.name': service }));
}
