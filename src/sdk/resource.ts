// The resource of the profiles the plugin sends. The best source is the SDK's own resource
// (so profiles and spans carry the same service.name, version, host...): the processor picks
// it up from the first span it sees. Before that, or without an SDK, it is built from the
// standard environment variables. Runtime and host facts are added when missing.
import { hostname } from 'node:os';
import { anyValueOf } from '../otlp/build.js';
import type { AnyValue, KeyValue, Resource } from '../otlp/index.js';
import { parseKeyValueList, type Env, type ResourceAttributeValue, type ResourceLike } from './options.js';

/** Attributes from OTEL_RESOURCE_ATTRIBUTES, with OTEL_SERVICE_NAME winning for service.name. */
export function envResourceAttributes(env: Env, warnings: string[] = []): Record<string, string> {
  const attrs: Record<string, string> = {};
  const list = env.OTEL_RESOURCE_ATTRIBUTES?.trim();
  if (list) Object.assign(attrs, parseKeyValueList(list, warnings, 'OTEL_RESOURCE_ATTRIBUTES'));
  const service = env.OTEL_SERVICE_NAME?.trim();
  if (service) attrs['service.name'] = service;
  return attrs;
}

/** What the process itself says, added to any resource that lacks these keys. */
export function processResourceAttributes(): Record<string, string | number> {
  return {
    'service.name': 'unknown_service:node',
    'telemetry.sdk.language': 'nodejs',
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.pid': process.pid,
    'host.name': hostname(),
  };
}

function toAnyValue(v: ResourceAttributeValue): AnyValue | undefined {
  if (Array.isArray(v)) {
    return { arrayValue: { values: v.filter((x): x is string | number | boolean => x !== null && x !== undefined).map((x) => anyValueOf(x)) } };
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return anyValueOf(v);
  return undefined;
}

/**
 * The OTLP resource: `primary` (the user's option or the SDK's resource; env attributes when
 * absent), then the process facts for keys it does not have.
 */
export function buildResource(primary: ResourceLike | undefined, env: Env): Resource {
  const base: Record<string, ResourceAttributeValue | undefined> = primary ? { ...primary.attributes } : envResourceAttributes(env);
  const merged: Record<string, ResourceAttributeValue | undefined> = { ...processResourceAttributes(), ...base };
  const attributes: KeyValue[] = [];
  for (const [key, raw] of Object.entries(merged)) {
    if (raw === undefined) continue;
    const value = toAnyValue(raw);
    if (value !== undefined) attributes.push({ key, value, keyStrindex: 0 });
  }
  return { attributes, droppedAttributesCount: 0, entityRefs: [] };
}
