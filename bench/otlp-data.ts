// Deterministic, realistic OTLP requests for benchmarks: a large CPU profile shaped like an
// eBPF profiler's (deep stacks, inlined frames, thread attributes, span links, values and
// timestamps) and a batch of HTTP/DB spans with attributes and events.
import type {
  ExportProfilesServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  KeyValueAndUnit,
  Link,
  Location,
  Sample,
  Span,
} from '../src/otlp/model.js';
import { mulberry32 } from '../test/helpers/prng.js';

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same bytes. */
export const prng = mulberry32;

function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  b[0] |= 1; // never all zero
  return b;
}

export interface ProfileShape {
  samples: number;
  functions: number;
  locations: number;
  stacks: number;
  links: number;
}

export const LARGE_PROFILE: ProfileShape = { samples: 100_000, functions: 2_000, locations: 5_000, stacks: 10_000, links: 1_000 };

export function realisticProfilesRequest(shape: ProfileShape = LARGE_PROFILE, seed = 1): ExportProfilesServiceRequest {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const strings = [''];
  const strIndex = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let i = strIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      strIndex.set(s, i);
    }
    return i;
  };
  const packages = ['net/http', 'encoding/json', 'runtime', 'github.com/acme/shop/internal/orders', 'database/sql', 'crypto/tls', 'bufio', 'sync'];
  const verbs = ['handle', 'decode', 'encode', 'read', 'write', 'lookup', 'serve', 'parse', 'flush', 'marshal'];
  const nouns = ['Request', 'Response', 'Order', 'Conn', 'Buffer', 'Value', 'Header', 'Row', 'Stmt', 'Record'];

  const attributeTable: KeyValueAndUnit[] = [{ keyStrindex: 0, unitStrindex: 0 }];
  const attr = (key: string, value: string): number => {
    attributeTable.push({ keyStrindex: str(key), value: { stringValue: value }, unitStrindex: 0 });
    return attributeTable.length - 1;
  };
  const frameNative = attr('profile.frame.type', 'native');
  const frameGo = attr('profile.frame.type', 'go');
  const buildIds = Array.from({ length: 8 }, (_, i) => attr('process.executable.build_id.gnu', `b${i}a1c2d3e4f5061728394a5b6c7d8e9f0`));
  const threads = Array.from({ length: 32 }, (_, i) => attr('thread.name', `worker-${i}`));
  const threadIds = Array.from({ length: 32 }, (_, i) => {
    attributeTable.push({ keyStrindex: str('thread.id'), value: { intValue: BigInt(1000 + i) }, unitStrindex: 0 });
    return attributeTable.length - 1;
  });

  const mappingTable = [{ memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] as number[] }];
  for (let i = 0; i < 8; i++) {
    const start = 0x400000n + BigInt(i) * 0x10000000n;
    mappingTable.push({
      memoryStart: start,
      memoryLimit: start + 0x800000n,
      fileOffset: 0x1000n * BigInt(i),
      filenameStrindex: str(i === 0 ? '/usr/local/bin/shop' : `/usr/lib/x86_64-linux-gnu/lib${i}.so.6`),
      attributeIndices: [buildIds[i]!],
    });
  }

  const functionTable = [{ nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 }];
  for (let i = 1; i < shape.functions; i++) {
    const pkg = packages[pick(packages.length)]!;
    const name = `${pkg}.(*${nouns[pick(nouns.length)]})${verbs[pick(verbs.length)]}${nouns[pick(nouns.length)]}${i}`;
    functionTable.push({
      nameStrindex: str(name),
      systemNameStrindex: str(name),
      filenameStrindex: str(`${pkg}/${nouns[pick(nouns.length)]!.toLowerCase()}_${i % 50}.go`),
      startLine: 1 + pick(2000),
    });
  }

  const locationTable: Location[] = [{ mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] }];
  for (let i = 1; i < shape.locations; i++) {
    const m = 1 + pick(mappingTable.length - 1);
    const inlined = rand() < 0.15 ? 2 + pick(2) : 1;
    const lines = Array.from({ length: inlined }, () => ({
      functionIndex: 1 + pick(shape.functions - 1),
      line: 1 + pick(3000),
      column: rand() < 0.5 ? 0 : 1 + pick(80),
    }));
    locationTable.push({
      mappingIndex: m,
      address: mappingTable[m]!.memoryStart + BigInt(pick(0x800000)),
      lines,
      attributeIndices: [m === 1 ? frameGo : frameNative],
    });
  }

  const stackTable = [{ locationIndices: [] as number[] }];
  for (let i = 1; i < shape.stacks; i++) {
    const depth = 8 + pick(40);
    stackTable.push({ locationIndices: Array.from({ length: depth }, () => 1 + pick(shape.locations - 1)) });
  }

  const linkTable: Link[] = [{ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }];
  for (let i = 1; i < shape.links; i++) linkTable.push({ traceId: randomBytes(rand, 16), spanId: randomBytes(rand, 8) });

  const t0 = 1_764_000_000_000_000_000n;
  const samples: Sample[] = [];
  for (let i = 0; i < shape.samples; i++) {
    const thread = pick(threads.length);
    samples.push({
      stackIndex: 1 + pick(shape.stacks - 1),
      attributeIndices: [threads[thread]!, threadIds[thread]!],
      linkIndex: rand() < 0.7 ? 1 + pick(shape.links - 1) : 0,
      values: [1 + pick(3)],
      timestampsUnixNano: [t0 + BigInt(i) * 100_000n + BigInt(pick(1000))],
    });
  }

  const resourceAttributes: KeyValue[] = [
    { key: 'service.name', value: { stringValue: 'shop' }, keyStrindex: 0 },
    { key: 'service.version', value: { stringValue: '1.42.0' }, keyStrindex: 0 },
    { key: 'host.name', value: { stringValue: 'ip-10-0-3-17' }, keyStrindex: 0 },
    { key: 'process.pid', value: { intValue: 4242n }, keyStrindex: 0 },
    { key: 'container.id', value: { stringValue: '3f1c0a8e9b7d6c5b4a3928171605f4e3d2c1b0a99887766554433221100ffeed' }, keyStrindex: 0 },
  ];
  return {
    resourceProfiles: [
      {
        resource: { attributes: resourceAttributes, droppedAttributesCount: 0, entityRefs: [] },
        scopeProfiles: [
          {
            scope: { name: 'go.opentelemetry.io/ebpf-profiler', version: 'v0.0.202601', attributes: [], droppedAttributesCount: 0 },
            profiles: [
              {
                sampleType: { typeStrindex: str('samples'), unitStrindex: str('count') },
                samples,
                timeUnixNano: t0,
                durationNano: 10_000_000_000n,
                periodType: { typeStrindex: str('cpu'), unitStrindex: str('nanoseconds') },
                period: 50_000_000,
                profileId: randomBytes(rand, 16),
                droppedAttributesCount: 0,
                originalPayloadFormat: '',
                originalPayload: new Uint8Array(0),
                attributeIndices: [],
              },
            ],
            schemaUrl: 'https://opentelemetry.io/schemas/1.34.0',
          },
        ],
        schemaUrl: 'https://opentelemetry.io/schemas/1.34.0',
      },
    ],
    dictionary: { mappingTable, locationTable, functionTable, linkTable, stringTable: strings, attributeTable, stackTable },
  };
}

export function realisticTracesRequest(spans = 10_000, seed = 2): ExportTraceServiceRequest {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const routes = ['/api/orders/{id}', '/api/cart', '/api/users/{id}/profile', '/healthz', '/api/search'];
  const out: Span[] = [];
  let traceId = randomBytes(rand, 16);
  let parent: Uint8Array = new Uint8Array(0);
  const t0 = 1_764_000_000_000_000_000n;
  for (let i = 0; i < spans; i++) {
    if (i % 10 === 0) {
      traceId = randomBytes(rand, 16);
      parent = new Uint8Array(0);
    }
    const spanId = randomBytes(rand, 8);
    const server = parent.length === 0;
    const route = routes[pick(routes.length)]!;
    const start = t0 + BigInt(i) * 1_000_000n;
    const attributes: KeyValue[] = server
      ? [
          { key: 'http.request.method', value: { stringValue: 'GET' }, keyStrindex: 0 },
          { key: 'http.route', value: { stringValue: route }, keyStrindex: 0 },
          { key: 'url.path', value: { stringValue: route.replace('{id}', String(pick(100000))) }, keyStrindex: 0 },
          { key: 'http.response.status_code', value: { intValue: 200n }, keyStrindex: 0 },
          { key: 'server.address', value: { stringValue: 'shop.internal' }, keyStrindex: 0 },
          { key: 'network.protocol.version', value: { stringValue: '1.1' }, keyStrindex: 0 },
          { key: 'user_agent.original', value: { stringValue: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36' }, keyStrindex: 0 },
        ]
      : [
          { key: 'db.system.name', value: { stringValue: 'postgresql' }, keyStrindex: 0 },
          {
            key: 'db.query.text',
            value: { stringValue: 'SELECT id, total, status FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20' },
            keyStrindex: 0,
          },
          { key: 'db.namespace', value: { stringValue: 'shop' }, keyStrindex: 0 },
          { key: 'server.port', value: { intValue: 5432n }, keyStrindex: 0 },
          { key: 'db.response.returned_rows', value: { intValue: BigInt(pick(20)) }, keyStrindex: 0 },
        ];
    out.push({
      traceId,
      spanId,
      traceState: '',
      parentSpanId: parent,
      flags: 0x101,
      name: server ? `GET ${route}` : 'SELECT shop.orders',
      kind: server ? 2 : 3,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(100_000 + pick(5_000_000)),
      attributes,
      droppedAttributesCount: 0,
      events:
        rand() < 0.05
          ? [
              {
                timeUnixNano: start + 50_000n,
                name: 'exception',
                attributes: [{ key: 'exception.type', value: { stringValue: 'TimeoutError' }, keyStrindex: 0 }],
                droppedAttributesCount: 0,
              },
            ]
          : [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { message: '', code: rand() < 0.02 ? 2 : 0 },
    });
    if (server) parent = spanId;
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'shop' }, keyStrindex: 0 },
            { key: 'service.version', value: { stringValue: '1.42.0' }, keyStrindex: 0 },
            { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' }, keyStrindex: 0 },
          ],
          droppedAttributesCount: 0,
          entityRefs: [],
        },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0', attributes: [], droppedAttributesCount: 0 },
            spans: out,
            schemaUrl: '',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}
