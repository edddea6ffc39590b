// Config of the OTLP receiver, in the collector's shape:
//   otlp: { protocols: { grpc: { endpoint, max_recv_msg_size }, http: { endpoint, max_request_body_size } } }
// A protocol left out is not started; `otlp:` with no body starts both on their defaults.
import { z } from 'zod';
import { byteSize, duration, hostPort } from '../../config/units.js';
import { DEFAULT_REQUEST_LIMITS } from '../../otlp/prescan/index.js';

export const DEFAULT_GRPC_ENDPOINT = '127.0.0.1:4317';
export const DEFAULT_HTTP_ENDPOINT = '127.0.0.1:4318';
/** OTLP's recommended request limit, measured after decompression. */
export const DEFAULT_MAX_BODY = 64 * 2 ** 20;

const tls = z.strictObject({
  cert_file: z.string().min(1).describe('PEM certificate (chain) the server presents.'),
  key_file: z.string().min(1).describe('PEM private key of that certificate.'),
  client_ca_file: z.string().min(1).optional().describe('When set, clients must present a certificate signed by this CA.'),
});

/** `auth` of one transport; `rejection` is what a client without the token gets. */
const authOf = (rejection: string) =>
  z.strictObject({
    bearer_token: z.string().min(1, 'bearer_token must not be empty (use ${env:NAME} to read it from the environment)').describe(rejection),
  });

const count = (d: number) => z.number().int().positive().default(d);

// Checked by a pre-scan before the request is decoded: the body size alone does not bound
// the work (60 MiB of empty messages decode into 30 M objects).
const limits = z
  .strictObject({
    max_messages: count(DEFAULT_REQUEST_LIMITS.max_messages).describe(
      'Most nested messages (protobuf) or objects (JSON) one request may hold; more get 413 / RESOURCE_EXHAUSTED.',
    ),
    max_samples: count(DEFAULT_REQUEST_LIMITS.max_samples).describe('Most profile samples one request may hold.'),
    max_strings: count(DEFAULT_REQUEST_LIMITS.max_strings).describe("Most entries of the profiles dictionary's string table one request may hold."),
    max_attributes: count(DEFAULT_REQUEST_LIMITS.max_attributes).describe(
      'Most attributes (key-value pairs, anywhere in the request) one request may hold.',
    ),
  })
  .prefault({});

const grpc = z.strictObject({
  endpoint: hostPort()
    .default(DEFAULT_GRPC_ENDPOINT)
    .describe('host:port to listen on; `0.0.0.0:4317` to accept connections from other hosts or containers.'),
  max_recv_msg_size: byteSize()
    .default(DEFAULT_MAX_BODY)
    .describe('Largest request accepted, after decompression; larger ones get RESOURCE_EXHAUSTED.'),
  limits: limits.describe('Per-request limits on what a request may decode into, checked before decoding.'),
  tls: tls.optional().describe('Serve TLS instead of plaintext.'),
  auth: authOf('Clients must send `authorization: Bearer <token>` metadata; others get UNAUTHENTICATED.')
    .optional()
    .describe('Require a bearer token.'),
  allow_unauthenticated_remote: z
    .boolean()
    .default(false)
    .describe('Listen beyond loopback without `auth` (or a `tls.client_ca_file`) anyway. Logged as a warning on every start.'),
});

const http = z.strictObject({
  endpoint: hostPort()
    .default(DEFAULT_HTTP_ENDPOINT)
    .describe('host:port to listen on; `0.0.0.0:4318` to accept connections from other hosts or containers.'),
  max_request_body_size: byteSize().default(DEFAULT_MAX_BODY).describe('Largest request body accepted, after decompression; larger ones get 413.'),
  limits: limits.describe('Per-request limits on what a request may decode into, checked before decoding.'),
  retry_after: duration().default(1000).describe('Delay suggested in Retry-After (whole seconds) when the pipeline pushes back.'),
  tls: tls.optional().describe('Serve TLS instead of plaintext.'),
  auth: authOf('Clients must send `Authorization: Bearer <token>`; others get 401.').optional().describe('Require a bearer token.'),
  allow_unauthenticated_remote: z
    .boolean()
    .default(false)
    .describe('Listen beyond loopback without `auth` (or a `tls.client_ca_file`) anyway. Logged as a warning on every start.'),
});

export const otlpReceiverConfigSchema = z
  .strictObject({
    protocols: z
      .strictObject({
        grpc: grpc
          .nullable()
          .optional()
          .describe('OTLP/gRPC (TraceService and ProfilesService Export). Left out (while `http` is named): not started.'),
        http: http
          .nullable()
          .optional()
          .describe('OTLP/HTTP (`POST /v1/traces`, `POST /v1development/profiles`). Left out (while `grpc` is named): not started.'),
      })
      .default({ grpc: null, http: null })
      .describe('The transports to serve; `otlp:` with no body serves both on their defaults.'),
  })
  .nullable()
  .default(null)
  .transform((c) => {
    const protocols = c?.protocols ?? { grpc: null, http: null };
    const noneNamed = !protocols.grpc && !protocols.http && !('grpc' in (protocols as object)) && !('http' in (protocols as object));
    // `grpc:` with an empty body means "on, with defaults", as in the collector.
    const wantGrpc = noneNamed || 'grpc' in (protocols as object);
    const wantHttp = noneNamed || 'http' in (protocols as object);
    return {
      grpc: wantGrpc ? (protocols.grpc ?? grpc.parse({})) : undefined,
      http: wantHttp ? (protocols.http ?? http.parse({})) : undefined,
    };
  });

export type OtlpReceiverConfig = z.output<typeof otlpReceiverConfigSchema>;
export type GrpcConfig = z.output<typeof grpc>;
export type HttpConfig = z.output<typeof http>;
