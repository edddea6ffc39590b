// Config of the `otlp` exporter (forwards profiles, with the join's enrichment, and traces):
//
//   exporters:
//     otlp:
//       endpoint: collector:4317          # gRPC: host:port or http(s)://host:port
//       protocol: grpc                    # grpc (default) | http/protobuf | http/json
//       headers: { x-api-key: ... }       # sent with every request (gRPC metadata / HTTP headers)
//       compression: gzip                 # gzip (default) | none
//       tls: { insecure: false, ca_file: ca.pem }   # gRPC; http:// endpoints are always plaintext
//     otlp/http:
//       endpoint: http://collector:4318   # HTTP: base URL; /v1/traces and /v1development/profiles are appended
//       protocol: http/protobuf
//       traces_endpoint: ...              # optional full URLs overriding the appended paths
//       profiles_endpoint: ...
//   plus timeout / sending_queue / retry (src/exporters/shared/config.ts).
import { z } from 'zod';
import { queuedExporterFields } from '../shared/config.js';

const url = z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' });

export const otlpExporterConfigSchema = z
  .strictObject({
    endpoint: z
      .string()
      .min(1, 'endpoint is required, e.g. 127.0.0.1:4317 (gRPC) or http://127.0.0.1:4318 (HTTP)')
      .describe('gRPC: `host:port` or `http(s)://host:port`. HTTP: the base URL; `/v1/traces` and `/v1development/profiles` are appended.'),
    protocol: z.enum(['grpc', 'http/protobuf', 'http/json']).default('grpc').describe('Wire protocol to the next hop.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Sent with every request (gRPC metadata or HTTP headers), e.g. an API key.'),
    compression: z.enum(['gzip', 'none']).default('gzip').describe('Request compression.'),
    tls: z
      .strictObject({
        insecure: z.boolean().default(false).describe('Plaintext gRPC to a `host:port` endpoint.'),
        ca_file: z.string().min(1).optional().describe('PEM CA bundle to verify the server with (a private CA).'),
      })
      .default({ insecure: false })
      .describe('TLS of gRPC connections (`http://` endpoints are always plaintext).'),
    traces_endpoint: url.optional().describe('HTTP only: full URL for traces, instead of `<endpoint>/v1/traces`.'),
    profiles_endpoint: url.optional().describe('HTTP only: full URL for profiles, instead of `<endpoint>/v1development/profiles`.'),
    ...queuedExporterFields,
  })
  .superRefine((c, ctx) => {
    if (c.protocol === 'grpc') {
      if (!/^[^\s/:]+:\d{1,5}$/.test(c.endpoint) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(c.endpoint) && !/^https?:\/\/[^/]+\/?$/.test(c.endpoint)) {
        ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'a gRPC endpoint is host:port or http(s)://host:port, e.g. 127.0.0.1:4317' });
      }
    } else if (!/^https?:\/\/\S+$/.test(c.endpoint)) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'an HTTP endpoint is a URL, e.g. http://127.0.0.1:4318' });
    }
  });

export type OtlpExporterConfig = z.output<typeof otlpExporterConfigSchema>;
