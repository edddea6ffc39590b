// Receivers that require a bearer token and TLS: a client without the token is refused with
// 401 / UNAUTHENTICATED; with it (over TLS, trusting the bridge's certificate) data flows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { encodeProfilesRequest, decodeRpcStatus } from '../../../src/otlp/index.js';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { selfSigned } from '../../helpers/tls.js';
import { PROFILES_METHOD } from '../../helpers/grpc-client.js';
import { fullProfilesRequest } from '../../fixtures/profiles-request.js';

const TOKEN = 's3cret-token';

function httpsPost(url: string, body: Uint8Array, ca: Buffer, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-protobuf', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function grpcTls(address: string, ca: Buffer, body: Uint8Array, token?: string): Promise<{ ok: boolean; code?: number; details?: string }> {
  const client = new Client(address, credentials.createSsl(ca));
  const md = new Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      PROFILES_METHOD,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      body,
      md,
      { deadline: Date.now() + 15_000 },
      (err: ServiceError | null) => {
        client.close();
        resolve(err ? { ok: false, code: err.code, details: err.details } : { ok: true });
      },
    );
  });
}

describe('OTLP receivers with a bearer token and TLS', () => {
  let b: RunningBridge;
  let ca: Buffer;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-tls-'));
    const { cert, key } = selfSigned(dir);
    ca = readFileSync(cert);
    const tls = `tls: { cert_file: "${cert}", key_file: "${key}" }, auth: { bearer_token: "\${env:OPB_TEST_TOKEN}" }`;
    process.env.OPB_TEST_TOKEN = TOKEN;
    b = await startBridge(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0, ${tls} }
      http: { endpoint: 127.0.0.1:0, ${tls} }
exporters:
  sink: {}
service:
  telemetry: { logs: { level: silent } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [sink] }
`);
  });
  after(() => b.stop());

  const body = encodeProfilesRequest(fullProfilesRequest());
  const httpsUrl = () => b.http.replace('http://', 'https://') + '/v1development/profiles';

  it('HTTPS: refuses a missing or wrong token with 401, accepts the right one', async () => {
    const sink = b.sinks.get('sink')!;
    const none = await httpsPost(httpsUrl(), body, ca, {});
    assert.equal(none.status, 401);
    assert.match(decodeRpcStatus(none.body).message, /bearer token/);
    const wrong = await httpsPost(httpsUrl(), body, ca, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.equal(sink.profiles.length, 0);
    const ok = await httpsPost(httpsUrl(), body, ca, { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    assert.equal(sink.profiles.length, 1);
  });

  it('gRPC over TLS: UNAUTHENTICATED without the token, accepted with it', async () => {
    const sink = b.sinks.get('sink')!;
    const before = sink.profiles.length;
    const none = await grpcTls(b.grpc, ca, body);
    assert.equal(none.ok, false);
    assert.equal(none.code, 16);
    const ok = await grpcTls(b.grpc, ca, body, TOKEN);
    assert.equal(ok.ok, true, ok.details);
    assert.equal(sink.profiles.length, before + 1);
  });

  it('plain HTTP to the TLS port is not served', async () => {
    await assert.rejects(fetch(b.http + '/v1development/profiles', { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }));
  });
});
