// The list of benchmark suites, one line each: file name -> suite.
import type { BenchSuite } from './harness.js';

export const suites: Record<string, BenchSuite> = {};
