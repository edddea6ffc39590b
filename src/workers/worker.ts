// Entry point of a pool thread: one task at a time, by name (see tasks.ts). Byte results
// are transferred back, never copied.
import { parentPort } from 'node:worker_threads';
import { TASKS, type TaskName } from './tasks.js';
import { toWireError } from './wire-error.js';
import { releaseMemory } from './release.js';

export interface TaskMessage {
  id: number;
  task: TaskName;
  input: unknown;
}

/** The ArrayBuffers of every whole-buffer Uint8Array directly in `value` (one level deep, or in an array). */
function transferables(value: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (v: unknown) => {
    if (v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  };
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      if (Array.isArray(v)) v.forEach(add);
      else add(v);
    }
  }
  return [...out];
}

parentPort!.on('message', (m: TaskMessage) => {
  try {
    if (!Object.hasOwn(TASKS, m.task)) throw new Error(`unknown worker task ${String(m.task)}`);
    const fn = TASKS[m.task] as (input: unknown) => unknown;
    const output = fn(m.input);
    parentPort!.postMessage({ id: m.id, ok: true, output }, transferables(output));
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: toWireError(e) });
  }
  const body = (m.input as { body?: Uint8Array } | undefined)?.body;
  releaseMemory(body?.byteLength ?? 0);
});
