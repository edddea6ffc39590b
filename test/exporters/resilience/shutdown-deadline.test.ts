// service.shutdown_timeout bounds a stop: with a backend that accepts connections and never
// answers, and a drain_timeout far longer than the shutdown timeout, the bridge still
// stops, and says what it left behind. (The bound asserted is generous — 30 s against a 1 s
// timeout — so a busy machine cannot fail it; without the deadline the stop would hang.)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { joinedRequest } from '../helpers/joined.js';
import { captureLogs } from '../helpers/logs.js';
import { RECEIVER_YAML, postProfiles, startBridge } from '../../helpers/bridge.js';

describe('shutdown deadline', () => {
  const sockets = new Set<Socket>();
  let silent: Server | undefined;
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent?.close(r));
  });

  it('stops within service.shutdown_timeout even when a backend never answers', async () => {
    // Reads requests, never answers them.
    silent = createServer(() => undefined);
    silent.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const logs = captureLogs('info');
    const run = await startBridge(
      `${RECEIVER_YAML}
processors:
  join: { hold_window: 1m }
exporters:
  pyroscope:
    endpoint: http://127.0.0.1:${port}
    timeout: 1m
    sending_queue: { drain_timeout: 1m }
service:
  shutdown_timeout: 1s
  pipelines:
    profiles: { receivers: [otlp], processors: [join], exporters: [pyroscope] }
`,
      { logger: logs.logger },
    );
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 0 })), 200);
    let guard: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([run.stop().then(() => true), new Promise<false>((r) => (guard = setTimeout(() => r(false), 30_000)))]);
    clearTimeout(guard);
    assert.equal(stopped, true, 'the stop ended');
    assert.ok(logs.lines.some((l) => l.msg === 'otel-profile-bridge stopped'));
    assert.ok(
      logs.lines.some((l) => typeof l.msg === 'string' && /dropped at shutdown|not drained in time/.test(l.msg)),
      'what the in-memory queue could not deliver is logged as dropped',
    );
  });
});
