// Small helpers shared by the benchmarks. Each benchmark module exports a `BenchSuite`;
// bench/run.ts runs them all and writes bench/RESULTS.md. Figures that are compared are
// measured in the same run, side by side, because these machines are noisy.
import { performance } from 'node:perf_hooks';

export interface BenchSuite {
  /** Heading in RESULTS.md. */
  title: string;
  /** Returns a markdown section body (tables, notes). */
  run(): Promise<string>;
}

export interface Timing {
  /** Median milliseconds per iteration. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  iterations: number;
}

/** Runs `fn` `warmup` times, then `iterations` times, and reports the spread. */
export async function time(fn: () => unknown | Promise<unknown>, iterations = 10, warmup = 2): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return {
    medianMs: samples[Math.floor(samples.length / 2)]!,
    minMs: samples[0]!,
    maxMs: samples[samples.length - 1]!,
    iterations,
  };
}

/**
 * Runs the functions in turn (a, b, a, b, ...) so that each sees the same machine load;
 * returns each one's median milliseconds. `before` runs untimed before every timed call
 * (e.g. a forced GC, so no call pays for the garbage another one left).
 */
export async function alternate(fns: (() => unknown | Promise<unknown>)[], iterations = 10, warmup = 2, before?: () => void): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const samples = fns.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < fns.length; k++) {
      before?.();
      const t0 = performance.now();
      await fns[k]!();
      samples[k]!.push(performance.now() - t0);
    }
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]!);
}

export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(digits)} M`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(digits)} k`;
  return n.toFixed(digits);
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
