// The embedded default: what `otel-profile-bridge serve` runs without --config. OTLP on
// the standard ports (loopback only), spans joined to profile samples, everything kept in
// the local store, and the web UI + JSON API + /metrics on port 4380.
export const DEFAULT_API_PORT = 4380;

export const DEFAULT_CONFIG_YAML = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:4318

processors:
  join:
    hold_window: 10s

exporters:
  store:
    directory: ./data

extensions:
  api:
    endpoint: 127.0.0.1:${DEFAULT_API_PORT}

service:
  extensions: [api]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [join]
      exporters: [store]
    profiles:
      receivers: [otlp]
      processors: [join]
      exporters: [store]
`;
