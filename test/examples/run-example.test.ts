// `npm run example` end to end: the compiled runner starts the bridge, the instrumented
// example service and the load; through the JSON API (docs/api.md, hotspots by endpoint) the
// slow endpoint's hotspots must show the function that burns its CPU. Then Ctrl-C (SIGINT)
// must stop everything and remove the temporary data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const runner = fileURLToPath(new URL('../../examples/run-example.js', import.meta.url));

const SLOW = 'GET /slow/:id';
const HOT = 'computeFibonacciSlowly';

interface TopRow {
  name: string;
  self: number;
  total: number;
}
interface Hotspots {
  total: number;
  top: TopRow[];
}

async function hotspots(api: string, endpoint: string): Promise<Hotspots | undefined> {
  const q = new URLSearchParams({ endpoint, type: 'cpu', from: 'now-15m', sort: 'self' });
  const res = await fetch(`${api}/api/v1/hotspots?${q}`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) return undefined;
  return (await res.json()) as Hotspots;
}

test("the example runner shows the slow endpoint's hotspot, then stops cleanly on Ctrl-C", async (t) => {
  // Its own process group, so a failing test can take down the service it started too.
  const child = spawn(process.execPath, [runner, '--ephemeral-ports', '--json', '--duration', '45'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '1000' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  });

  const events: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (name: string, ms: number): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const e = events.find((x) => x.event === name);
      if (e) return e;
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no "${name}" event; stderr:\n${stderr}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(500)]);
    }
  };

  const ready = await waitFor('ready', 20_000);
  const api = ready.api as string;
  const ui = new URL(ready.ui as string);
  assert.equal(`${ui.protocol}//${ui.host}`, api);
  const route = new URLSearchParams(ui.hash.slice(ui.hash.indexOf('?') + 1));
  assert.ok(ui.hash.startsWith('#/hotspots?'));
  assert.equal(route.get('endpoint'), SLOW);

  // Profiles are cut every second; samples wait in the join until their spans arrive.
  let slow: Hotspots | undefined;
  for (let i = 0; i < 30; i++) {
    slow = await hotspots(api, SLOW);
    if (slow?.top.some((r) => r.name === HOT)) break;
    await sleep(1000);
  }
  assert.ok(slow && slow.total > 0, `no CPU samples for ${SLOW}; stderr:\n${stderr}`);
  const hot = slow.top.find((r) => r.name === HOT);
  assert.ok(
    hot,
    `${HOT} is not among the hotspots of ${SLOW}: ${slow.top
      .slice(0, 5)
      .map((r) => r.name)
      .join(', ')}`,
  );
  assert.equal(slow.top[0]!.name, HOT, `${HOT} should use the most CPU of ${SLOW}`);

  // The fast endpoint never calls it: span attribution keeps the two apart.
  const fast = await hotspots(api, 'GET /fast');
  assert.ok(!fast?.top.some((r) => r.name === HOT && r.self >= hot.self), `${HOT} is attributed to GET /fast`);

  process.kill(child.pid!, 'SIGINT');
  const stopped = await waitFor('stopped', 20_000);
  assert.equal(await exited, 0);
  assert.equal(existsSync(stopped.dataDir as string), false, 'the temporary data directory was left behind');
});
