// The network listeners a bridge config opens, with whether each requires credentials, read
// through the components' own config schemas (what the bridge would run with).
import { apiConfigSchema } from '../../src/api/config.js';
import type { BridgeConfig } from '../../src/config/schema.js';
import { typeOf } from '../../src/config/schema.js';
import { otlpReceiverConfigSchema } from '../../src/receivers/otlp/config.js';

export interface Listener {
  where: string;
  endpoint: string;
  /** Credentials are required (a bearer token, basic users or client certificates). */
  authenticated: boolean;
  /** What is required, e.g. the bearer token as configured (after `${env:...}` expansion). */
  tokens: string[];
  optOut: boolean;
}

export function listenersOf(config: BridgeConfig): Listener[] {
  const out: Listener[] = [];
  for (const [id, raw] of Object.entries(config.receivers ?? {})) {
    if (typeOf(id) !== 'otlp') continue;
    const c = otlpReceiverConfigSchema.parse(raw);
    for (const [name, p] of [
      ['grpc', c.grpc],
      ['http', c.http],
    ] as const) {
      if (!p) continue;
      out.push({
        where: `receivers.${id}.protocols.${name}`,
        endpoint: p.endpoint,
        authenticated: p.auth !== undefined || p.tls?.client_ca_file !== undefined,
        tokens: p.auth ? [p.auth.bearer_token] : [],
        optOut: p.allow_unauthenticated_remote,
      });
    }
  }
  for (const [id, raw] of Object.entries(config.extensions ?? {})) {
    if (typeOf(id) !== 'api') continue;
    const c = apiConfigSchema.parse(raw ?? {});
    out.push({
      where: `extensions.${id}`,
      endpoint: c.endpoint,
      authenticated: c.auth !== undefined,
      tokens: c.auth?.bearer_token ? [c.auth.bearer_token] : [],
      optOut: c.allow_unauthenticated_remote,
    });
  }
  return out;
}
