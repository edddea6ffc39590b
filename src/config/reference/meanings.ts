// Meanings of config keys that have neither a zod `.describe()` nor a doc comment in their
// schema's source. Keyed by full path, `<section>.<type>.<key path>` (`<name>` for map keys);
// `*` in place of the type covers every component of that section with the key (the
// settings all network exporters share). A doc comment on the schema key takes precedence:
// it is the better home for the text, and `npm run docs` lists entries it makes redundant.
export const MEANINGS: Record<string, string> = {
  'receivers.otlp.protocols.grpc.auth.bearer_token': 'Clients must send `authorization: Bearer <token>` metadata; others get UNAUTHENTICATED.',
  'receivers.otlp.protocols.http.auth.bearer_token': 'Clients must send `Authorization: Bearer <token>`; others get 401.',

  // Shared by the network exporters (src/exporters/shared/config.ts).
  'exporters.*.timeout': 'Bound on one attempt, from connecting to the last response byte.',
  'exporters.*.sending_queue': 'The bounded queue between the pipeline and the backend.',
  'exporters.*.sending_queue.max_bytes': 'Bound on queued payload bytes; beyond it the exporter refuses new data with a retryable error (back-pressure), and the drop is counted.',
  'exporters.*.sending_queue.num_consumers': 'Items sent at once (at most one per series at a time, so a series stays in order).',
  'exporters.*.sending_queue.drain_timeout': 'On shutdown, how long to keep delivering what is queued.',
  'exporters.*.retry': 'Retries of retryable failures (network errors; HTTP 429/502/503/504, and for pyroscope and datadog also 408 and the other 5xx but 501/505; gRPC UNAVAILABLE and the other retryable codes), with exponential backoff and jitter; `Retry-After` and gRPC `RetryInfo` are honoured.',
  'exporters.*.retry.enabled': 'Off: a failed send is dropped (and counted) at once.',
  'exporters.*.retry.initial_interval': 'Wait before the first retry.',
  'exporters.*.retry.max_interval': 'Upper bound of the wait between retries.',
  'exporters.*.retry.multiplier': 'Growth of the wait from one retry to the next.',
  'exporters.*.retry.randomization_factor': 'Jitter: each wait is drawn from ± this fraction around its nominal value.',

  'exporters.datadog.endpoint': 'Agent route (the default, at `http://127.0.0.1:8126`): the agent\'s base URL; uploads go to `/profiling/v1/input`. Not together with `site`.',
  'exporters.datadog.site': 'Agentless route: the Datadog site (`datadoghq.com`, `datadoghq.eu`, ...); uploads go to `https://intake.profile.<site>/api/v2/profile`.',
  'exporters.datadog.api_key': 'API key sent as `DD-API-KEY`; needed for agentless upload, where it defaults to the `DD_API_KEY` environment variable.',
  'exporters.datadog.tags': 'Extra tags added to every upload\'s `tags_profiler` (service, env, version and host come from the resource).',

  'exporters.file.directory': 'Where the files go, as `<service>/<profile type>/<time>-<id>.pb.gz` (created when missing).',
  'exporters.file.fsync': 'Flush every file to disk before the data counts as accepted (durability over speed).',
  'exporters.file.sidecar': 'Write a `<name>.json` beside each `<name>.pb.gz` with the resource, labels and time window.',

  'exporters.otlp.endpoint': 'gRPC: `host:port` or `http(s)://host:port`. HTTP: the base URL; `/v1/traces` and `/v1development/profiles` are appended.',
  'exporters.otlp.protocol': 'Wire protocol to the next hop.',
  'exporters.otlp.headers': 'Sent with every request (gRPC metadata or HTTP headers), e.g. an API key.',
  'exporters.otlp.compression': 'Request compression.',
  'exporters.otlp.tls': 'TLS of gRPC connections (`http://` endpoints are always plaintext).',
  'exporters.otlp.tls.insecure': 'Plaintext gRPC to a `host:port` endpoint.',
  'exporters.otlp.tls.ca_file': 'PEM CA bundle to verify the server with (a private CA).',
  'exporters.otlp.traces_endpoint': 'HTTP only: full URL for traces, instead of `<endpoint>/v1/traces`.',
  'exporters.otlp.profiles_endpoint': 'HTTP only: full URL for profiles, instead of `<endpoint>/v1development/profiles`.',

  'exporters.parca.endpoint': 'Parca\'s gRPC address (`ProfileStoreService/WriteRaw`): `host:port` or `http(s)://host:port`.',
  'exporters.parca.insecure': 'Plaintext gRPC (default: TLS).',
  'exporters.parca.ca_file': 'PEM CA bundle for TLS with a private CA.',
  'exporters.parca.bearer_token': 'Sent as `authorization: Bearer <token>` (e.g. for Polar Signals Cloud).',
  'exporters.parca.labels': 'Static labels added to every series (they win over derived ones).',
  'exporters.parca.normalized': 'Value of `WriteRawRequest.normalized` (addresses already normalized).',

  'exporters.pyroscope.endpoint': 'Base URL of Pyroscope (or Grafana Cloud Profiles), e.g. `http://pyroscope:4040`.',
  'exporters.pyroscope.protocol': '`ingest`: `POST /ingest` with the pprof; `push`: the `push.v1.PusherService/Push` API.',
  'exporters.pyroscope.auth': 'Either `basic` or `bearer_token`.',
  'exporters.pyroscope.auth.basic': 'HTTP basic auth (Grafana Cloud: the stack\'s user id and an access token).',
  'exporters.pyroscope.auth.basic.username': 'Basic auth user.',
  'exporters.pyroscope.auth.basic.password': 'Basic auth password; write `${env:NAME}` to read it from the environment.',
  'exporters.pyroscope.auth.bearer_token': 'Sent as `Authorization: Bearer <token>`.',
  'exporters.pyroscope.tenant': 'Sent as `X-Scope-OrgID`, for multi-tenant Pyroscope.',
  'exporters.pyroscope.labels': 'Static labels added to every series (they win over derived ones).',
  'exporters.pyroscope.headers': 'Extra request headers.',

  'exporters.store.retention': 'What the store deletes, and when.',
  'exporters.store.batch': 'How incoming profiles are grouped into write transactions.',
  'exporters.store.labels': 'Bounds on the series labels the store keeps per profile.',
  'exporters.store.query': 'How queries run.',
  'exporters.store.metrics': 'Cardinality bounds of the profiling metrics on `/metrics`.',
};
