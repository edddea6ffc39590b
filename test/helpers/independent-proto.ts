// An independent protobuf codec for tests: protobufjs (reflection) loading our own .proto
// files from proto/. Tests encode with our code and decode with this one (and the other
// way round), so a mistake in our own codecs cannot hide behind itself.
//
// Covers OTLP traces and profiles (with their collector service messages), google.rpc.Status
// and pprof (perftools.profiles.Profile). Also converts between protobufjs messages and the
// conventions of src/otlp/model.ts (bigint / number / Uint8Array), see `toModel` / `fromModel`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/profiles/v1development/profiles_service.proto',
  'google/rpc/status.proto',
  'perftools/profiles/profile.proto',
];

/** proto/ at the repository root: from dist/test/helpers when compiled, test/helpers otherwise. */
function protoDir(): string {
  for (const rel of ['../../../proto/', '../../proto/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, FILES[0]!))) return dir;
  }
  throw new Error('proto/ directory not found next to the tests');
}

/** Every file, imports included, for the unpacked variant (parsed one by one). */
const ALL_FILES = [
  'opentelemetry/proto/common/v1/common.proto',
  'opentelemetry/proto/resource/v1/resource.proto',
  'opentelemetry/proto/trace/v1/trace.proto',
  'opentelemetry/proto/profiles/v1development/profiles.proto',
  ...FILES,
];

const UNPACK_RE =
  /^(\s*repeated\s+(?:double|float|int32|int64|uint32|uint64|sint32|sint64|fixed32|fixed64|sfixed32|sfixed64|bool)\s+\w+\s*=\s*\d+)\s*;/gm;

const roots = new Map<string, protobuf.Root>();

/**
 * The protobufjs root with every schema of proto/ loaded (cached). With `unpacked`, every
 * repeated scalar field is written one value per tag instead of packed — the other legal
 * form a decoder must accept.
 */
export function loadIndependentRoot(options: { unpacked?: boolean } = {}): protobuf.Root {
  const key = options.unpacked === true ? 'unpacked' : 'packed';
  const hit = roots.get(key);
  if (hit !== undefined) return hit;
  const dir = protoDir();
  const root = new protobuf.Root();
  if (options.unpacked === true) {
    // Same schemas with `[packed = false]` on every repeated scalar field. Parsed file by
    // file (parse does not follow imports), so every file is listed.
    for (const file of ALL_FILES) {
      const source = readFileSync(join(dir, file), 'utf8').replace(UNPACK_RE, '$1 [packed = false];');
      protobuf.parse(source, root, { keepCase: false });
    }
  } else {
    // Imports are written relative to proto/ ("opentelemetry/proto/common/v1/common.proto").
    root.resolvePath = (_origin: string, target: string): string => (target.startsWith(dir) ? target : join(dir, target));
    root.loadSync(FILES, { keepCase: false });
  }
  root.resolveAll();
  roots.set(key, root);
  return root;
}

/**
 * A message type by fully qualified name, e.g.
 * "opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest"
 * or "perftools.profiles.Profile" (see OTLP_TYPES).
 */
export function lookupType(name: string, options: { unpacked?: boolean } = {}): protobuf.Type {
  return loadIndependentRoot(options).lookupType(name);
}

/** Fully qualified names of the types the tests use most. */
export const OTLP_TYPES = {
  tracesRequest: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  tracesResponse: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  profilesRequest: 'opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest',
  profilesResponse: 'opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse',
  tracesData: 'opentelemetry.proto.trace.v1.TracesData',
  profilesData: 'opentelemetry.proto.profiles.v1development.ProfilesData',
  rpcStatus: 'google.rpc.Status',
  pprofProfile: 'perftools.profiles.Profile',
} as const;

// ------------------------------------------------------------------ model conversion

/**
 * Which 64-bit fields the model holds as bigint. The OTLP rule (src/otlp/model.ts):
 * uint64 and fixed64 (timestamps, durations, addresses) and AnyValue.int_value are bigint;
 * every other int64 is a number.
 */
export type BigintRule = (type: protobuf.Type, field: protobuf.Field) => boolean;

export const otlpBigintRule: BigintRule = (type, field) =>
  field.type === 'uint64' || field.type === 'fixed64' || (type.name === 'AnyValue' && field.name === 'intValue');

/** pprof (perftools.profiles) has no bigint convention of its own; numbers everywhere. */
export const allNumbersRule: BigintRule = () => false;

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * A decoded protobufjs message in model form: camelCase keys, every scalar and repeated
 * field present, absent sub-messages and unset oneof members left out, 64-bit values as
 * bigint or number per `rule`, bytes as plain Uint8Array copies.
 */
export function toModel(type: protobuf.Type, msg: protobuf.Message | Record<string, unknown>, rule: BigintRule = otlpBigintRule): unknown {
  const src = msg as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const name = field.name;
    const v = src[name];
    if (field.partOf !== null) {
      if (v === null || v === undefined || !Object.prototype.hasOwnProperty.call(src, name)) continue;
    }
    if (field.repeated) {
      const arr = (v ?? []) as unknown[];
      out[name] = arr.map((x) => convertValue(type, field, x, rule));
    } else if (field.resolvedType instanceof protobuf.Type) {
      if (v !== null && v !== undefined) out[name] = toModel(field.resolvedType, v as protobuf.Message, rule);
    } else {
      out[name] = convertValue(type, field, v ?? defaultOf(field), rule);
    }
  }
  return out;
}

function defaultOf(field: protobuf.Field): unknown {
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  switch (field.type) {
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function convertValue(type: protobuf.Type, field: protobuf.Field, v: unknown, rule: BigintRule): unknown {
  if (field.resolvedType instanceof protobuf.Type) return toModel(field.resolvedType, v as protobuf.Message, rule);
  if (field.type === 'bytes') return Uint8Array.from(v as Uint8Array);
  if (LONG_TYPES.has(field.type)) {
    const big = BigInt(typeof v === 'number' ? v : String(v));
    const signed = field.type === 'int64' || field.type === 'sint64' || field.type === 'sfixed64';
    const wrapped = signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big);
    return rule(type, field) ? wrapped : Number(wrapped);
  }
  return v;
}

/**
 * A model object as input for protobufjs `Type.fromObject`: bigints become decimal strings
 * (protobufjs parses them into its Long type); everything else passes through.
 */
export function fromModel(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(fromModel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = fromModel(v);
    return out;
  }
  return value;
}

/** Encodes a model object with protobufjs. */
export function independentEncode(typeName: string, model: unknown, options: { unpacked?: boolean } = {}): Uint8Array {
  const t = lookupType(typeName, options);
  return t.encode(t.fromObject(fromModel(model) as Record<string, unknown>)).finish();
}

/** Decodes bytes with protobufjs into model form. */
export function independentDecode(typeName: string, bytes: Uint8Array, rule: BigintRule = otlpBigintRule): unknown {
  const t = lookupType(typeName);
  return toModel(t, t.decode(bytes), rule);
}
