// Options of the profiling plugin, layered as the OpenTelemetry JS exporters do:
// what the code passes > OTEL_* environment variables > defaults. Pure: the environment is
// a parameter, so the resolution is testable without touching process.env.

/** Wire protocol, with the values OTEL_EXPORTER_OTLP_PROTOCOL uses. */
export type ProfilesProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export type Compression = 'gzip' | 'none';

/** Attribute values as the OTel API types them (a structural subset, to keep the API dependency type-only). */
export type ResourceAttributeValue = string | number | boolean | Array<string | number | boolean | null | undefined>;

/** Anything resource-like: `Resource` of @opentelemetry/resources fits. */
export interface ResourceLike {
  readonly attributes: Readonly<Record<string, ResourceAttributeValue | undefined>>;
  readonly asyncAttributesPending?: boolean;
}

export interface ProfilingOptions {
  /**
   * Where to send OTLP profiles. For HTTP a full URL used as is; for gRPC `http(s)://host:port`.
   * Env: OTEL_EXPORTER_OTLP_PROFILES_ENDPOINT (full URL), else OTEL_EXPORTER_OTLP_ENDPOINT
   * (+ `/v1development/profiles` for HTTP). Default http://localhost:4318/v1development/profiles
   * (HTTP) or http://localhost:4317 (gRPC).
   */
  url?: string;
  /** Env: OTEL_EXPORTER_OTLP_PROFILES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL. Default 'http/protobuf'. */
  protocol?: ProfilesProtocol;
  /** Extra request headers (HTTP) / metadata (gRPC). Env: OTEL_EXPORTER_OTLP_HEADERS, ..._PROFILES_HEADERS. */
  headers?: Record<string, string>;
  /** Env: OTEL_EXPORTER_OTLP_PROFILES_COMPRESSION, else OTEL_EXPORTER_OTLP_COMPRESSION. Default 'gzip'. */
  compression?: Compression;
  /** Per-attempt timeout. Env: OTEL_EXPORTER_OTLP_PROFILES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT. Default 10 000. */
  timeoutMillis?: number;
  /** How often a profile is cut and sent. Env: OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL (ms). Default 10 000. */
  exportIntervalMillis?: number;
  /** Wall/CPU sampling interval. Env: OTEL_PROFILE_BRIDGE_SAMPLING_INTERVAL (µs). Default 10 000 (100 Hz). */
  samplingIntervalMicros?: number;
  /** CPU time per sample (Linux and macOS). Default true. */
  cpu?: boolean;
  /** Heap (in-use) sampling. Env: OTEL_PROFILE_BRIDGE_HEAP=false turns it off. Default true. */
  heap?: boolean;
  /** Average bytes between heap samples. Default 524 288 (512 KiB). */
  heapSamplingIntervalBytes?: number;
  /** Deepest stack kept for heap samples. Default 64. */
  heapStackDepth?: number;
  /**
   * Resource of the profiles. Default: the resource of the first span the processor sees
   * (so the NodeSDK's resource), before that one built from OTEL_SERVICE_NAME and
   * OTEL_RESOURCE_ATTRIBUTES. Runtime and host attributes are added when missing.
   */
  resource?: ResourceLike;
  /** Attempts per request for retryable failures (HTTP 429/502/503/504, gRPC UNAVAILABLE and the other retryable codes, network; see src/otlp-client/retry.ts). Default 3. */
  maxAttempts?: number;
  /** Profiling is off when OTEL_SDK_DISABLED=true unless this says otherwise. */
  enabled?: boolean;
}

export interface ResolvedOptions {
  url: string;
  protocol: ProfilesProtocol;
  headers: Record<string, string>;
  compression: Compression;
  timeoutMillis: number;
  exportIntervalMillis: number;
  samplingIntervalMicros: number;
  cpu: boolean;
  heap: boolean;
  heapSamplingIntervalBytes: number;
  heapStackDepth: number;
  resource: ResourceLike | undefined;
  maxAttempts: number;
  enabled: boolean;
  /** Problems found in the environment, for one diag warning each (the bad value is ignored). */
  warnings: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

export const PROFILES_HTTP_PATH = '/v1development/profiles';
const DEFAULT_HTTP_BASE = 'http://localhost:4318';
const DEFAULT_GRPC_URL = 'http://localhost:4317';

const PROTOCOLS: readonly ProfilesProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

function envValue(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { name, value: v };
  }
  return undefined;
}

/**
 * Parses the OTEL `key=value,key2=value2` list (W3C baggage-like; keys and values are
 * percent-decoded). Entries without `=` are reported and skipped.
 */
export function parseKeyValueList(text: string, warnings: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      warnings.push(`${what}: ignoring "${part.trim()}" (expected key=value)`);
      continue;
    }
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      warnings.push(`${what}: ignoring "${part.trim()}" (bad percent-encoding)`);
    }
  }
  return out;
}

function positiveInt(env: Env, warnings: string[], ...names: string[]): number | undefined {
  const e = envValue(env, ...names);
  if (!e) return undefined;
  const n = Number(e.value);
  if (!Number.isInteger(n) || n <= 0) {
    warnings.push(`${e.name}: "${e.value}" is not a positive integer; using the default`);
    return undefined;
  }
  return n;
}

function booleanEnv(env: Env, warnings: string[], name: string): boolean | undefined {
  const v = env[name]?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  warnings.push(`${name}: "${env[name]}" is neither true nor false; ignored`);
  return undefined;
}

/** The signal URL for a base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT semantics: append the path). */
export function httpUrlFromBase(base: string): string {
  return base.replace(/\/+$/, '') + PROFILES_HTTP_PATH;
}

export function resolveOptions(options: ProfilingOptions = {}, env: Env = process.env): ResolvedOptions {
  const warnings: string[] = [];

  let protocol: ProfilesProtocol = 'http/protobuf';
  if (options.protocol !== undefined) {
    protocol = options.protocol;
  } else {
    const e = envValue(env, 'OTEL_EXPORTER_OTLP_PROFILES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
    if (e) {
      if ((PROTOCOLS as readonly string[]).includes(e.value)) protocol = e.value as ProfilesProtocol;
      else warnings.push(`${e.name}: unknown protocol "${e.value}" (expected ${PROTOCOLS.join(', ')}); using http/protobuf`);
    }
  }

  let url: string;
  if (options.url !== undefined) {
    url = options.url;
  } else {
    const signal = envValue(env, 'OTEL_EXPORTER_OTLP_PROFILES_ENDPOINT');
    const base = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    if (signal) url = signal.value;
    else if (base) url = protocol === 'grpc' ? base.value : httpUrlFromBase(base.value);
    else url = protocol === 'grpc' ? DEFAULT_GRPC_URL : httpUrlFromBase(DEFAULT_HTTP_BASE);
  }
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    warnings.push(`profiles endpoint "${url}" is not an http(s) URL; using the default`);
    url = protocol === 'grpc' ? DEFAULT_GRPC_URL : httpUrlFromBase(DEFAULT_HTTP_BASE);
  }

  // Signal-specific headers override the generic ones key by key; code overrides both.
  const headers: Record<string, string> = {};
  const generic = envValue(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  if (generic) Object.assign(headers, parseKeyValueList(generic.value, warnings, generic.name));
  const specific = envValue(env, 'OTEL_EXPORTER_OTLP_PROFILES_HEADERS');
  if (specific) Object.assign(headers, parseKeyValueList(specific.value, warnings, specific.name));
  Object.assign(headers, options.headers ?? {});

  let compression: Compression = 'gzip';
  if (options.compression !== undefined) {
    compression = options.compression;
  } else {
    const e = envValue(env, 'OTEL_EXPORTER_OTLP_PROFILES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION');
    if (e) {
      if (e.value === 'gzip' || e.value === 'none') compression = e.value;
      else warnings.push(`${e.name}: unknown compression "${e.value}" (expected gzip or none); using gzip`);
    }
  }

  const disabled = booleanEnv(env, warnings, 'OTEL_SDK_DISABLED');
  const heapEnv = booleanEnv(env, warnings, 'OTEL_PROFILE_BRIDGE_HEAP');

  return {
    url,
    protocol,
    headers,
    compression,
    timeoutMillis: options.timeoutMillis ?? positiveInt(env, warnings, 'OTEL_EXPORTER_OTLP_PROFILES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT') ?? 10_000,
    exportIntervalMillis: options.exportIntervalMillis ?? positiveInt(env, warnings, 'OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL') ?? 10_000,
    samplingIntervalMicros: options.samplingIntervalMicros ?? positiveInt(env, warnings, 'OTEL_PROFILE_BRIDGE_SAMPLING_INTERVAL') ?? 10_000,
    cpu: options.cpu ?? true,
    heap: options.heap ?? heapEnv ?? true,
    heapSamplingIntervalBytes: options.heapSamplingIntervalBytes ?? 512 * 1024,
    heapStackDepth: options.heapStackDepth ?? 64,
    resource: options.resource,
    maxAttempts: Math.max(1, options.maxAttempts ?? 3),
    enabled: options.enabled ?? disabled !== true,
    warnings,
  };
}
