// Gives a worker thread's memory back after a large request. A thread that decoded a 25 MiB
// request holds the garbage of that decode (hundreds of MiB) until its next collection,
// which may not come for a long time when the thread is idle; with several threads (the
// pool and the store's writer) those idle heaps would add up in the process's peak memory.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Above this many input bytes a task's garbage is collected right after it. */
export const RELEASE_AFTER_BYTES = 4 * 2 ** 20;

let gc: (() => void) | undefined;
try {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc') as () => void;
} catch {
  gc = undefined; // not available: memory is then given back at V8's own pace
}

export function releaseMemory(inputBytes: number): void {
  if (gc && inputBytes >= RELEASE_AFTER_BYTES) gc();
}
