// What a new user sees before any data arrived: where to send OTLP, with copyable examples.
import { h } from '../dom.js';

const GRPC = '127.0.0.1:4317';
const HTTP = 'http://127.0.0.1:4318';
/** The collector's OTLP/gRPC exporter is `otlp_grpc` from v0.144 on; the README says the same. */
const COLLECTOR_EXPORTER = 'otlp_grpc/bridge';
const COLLECTOR_OLDER_NOTE = '`otlp/bridge` on collectors before v0.144';

function snippet(title: string, code: string): HTMLElement {
  const pre = h('pre', null, h('code', null, code));
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'secondary small copy',
      onclick: () => {
        void navigator.clipboard?.writeText(code).then(() => {
          copy.textContent = 'Copied';
          setTimeout(() => (copy.textContent = 'Copy'), 1200);
        });
      },
    },
    'Copy',
  );
  return h('div', { class: 'snippet' }, h('div', { class: 'snippet-head' }, h('strong', null, title), copy), pre);
}

export function onboarding(): HTMLElement {
  return h(
    'section',
    { class: 'empty-state', 'data-testid': 'empty-state' },
    h('h2', null, 'No profiles yet'),
    h(
      'p',
      null,
      'Send OTLP profiles — and the traces they belong to — to this bridge. It listens on ',
      h('code', null, `${GRPC}`),
      ' (OTLP/gRPC) and ',
      h('code', null, HTTP),
      ' (OTLP/HTTP: ',
      h('code', null, 'POST /v1development/profiles'),
      ', ',
      h('code', null, 'POST /v1/traces'),
      '). Profiles show up here a second or two after they arrive; samples are joined to their spans by span id.',
    ),
    snippet(
      'Node.js app (OpenTelemetry SDK + the bundled profiler)',
      `OTEL_EXPORTER_OTLP_ENDPOINT=${HTTP} OTEL_SERVICE_NAME=checkout node --import ./otel.js app.js\n\n// otel.js\nimport { NodeSDK } from '@opentelemetry/sdk-node';\nimport { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';\nimport { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';\nimport { startProfiling } from 'otel-profile-bridge/sdk';\nnew NodeSDK({ spanProcessors: [startProfiling(), new BatchSpanProcessor(new OTLPTraceExporter())] }).start();`,
    ),
    snippet('OpenTelemetry eBPF profiler (whole host, any language)', `sudo ./ebpf-profiler -collection-agent=${GRPC} -disable-tls`),
    snippet(
      'OpenTelemetry Collector (forward profiles and traces)',
      `exporters:\n  ${COLLECTOR_EXPORTER}:            # ${COLLECTOR_OLDER_NOTE}\n    endpoint: ${GRPC}\n    tls: { insecure: true }\nservice:\n  pipelines:\n    traces:   { receivers: [otlp], exporters: [${COLLECTOR_EXPORTER}] }\n    profiles: { receivers: [otlp], exporters: [${COLLECTOR_EXPORTER}] }`,
    ),
    h(
      'p',
      { class: 'muted' },
      'Addresses above are the defaults; yours may differ if the bridge was started with another config. The collector needs its ',
      h('code', null, 'service.profilesSupport'),
      ' feature gate for the profiles pipeline; collectors before v0.144 name the exporter ',
      h('code', null, 'otlp/bridge'),
      '.',
    ),
  );
}

/** A selection matched nothing (data exists elsewhere). */
export function noMatch(what: string, hint: string): HTMLElement {
  return h('div', { class: 'no-match', 'data-testid': 'no-match' }, h('strong', null, what), h('p', { class: 'muted' }, hint));
}

export function errorBox(e: unknown): HTMLElement {
  const msg = e instanceof Error ? e.message : String(e);
  const reason = (e as { reason?: string }).reason;
  return h(
    'div',
    { class: 'error-box', role: 'alert', 'data-testid': 'error' },
    h('strong', null, 'Request failed'),
    h('p', null, msg),
    reason ? h('p', { class: 'muted' }, `reason: ${reason}`) : null,
  );
}

export function loading(text = 'Loading…'): HTMLElement {
  return h('div', { class: 'loading' }, text);
}
