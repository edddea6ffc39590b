// The load generator on its own (the compose file runs it next to the example service):
//   node dist/examples/load/main.js --target http://127.0.0.1:8080 [--rate 10] [--slow-share 0.5] [--duration 60]
import { parseArgs } from 'node:util';
import { DEFAULT_LOAD, startLoad } from './generator.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: process.env.LOAD_TARGET ?? 'http://127.0.0.1:8080' },
    rate: { type: 'string', default: process.env.LOAD_RATE ?? String(DEFAULT_LOAD.rate) },
    'slow-share': { type: 'string', default: String(DEFAULT_LOAD.slowShare) },
    concurrency: { type: 'string', default: String(DEFAULT_LOAD.concurrency) },
    duration: { type: 'string' },
  },
  strict: true,
});

const load = startLoad({
  target: values.target,
  rate: Number(values.rate),
  slowShare: Number(values['slow-share']),
  concurrency: Number(values.concurrency),
});
process.stdout.write(`load: ${values.rate} requests/s to ${values.target}\n`);
const report = setInterval(() => process.stdout.write(`load: ${JSON.stringify(load.stats)}\n`), 10_000);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  await load.stop();
  process.stdout.write(`load: ${JSON.stringify(load.stats)}\n`);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (values.duration !== undefined) setTimeout(() => void stop(), Number(values.duration) * 1000);
