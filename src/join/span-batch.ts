// The batched form of a span lookup: the distinct span ids of one request as 32-bit word
// pairs (no hex strings, no object per id), and the index's answer as columns indexed the
// same way. With one span per sample a request names as many spans as it has samples, so
// this is what keeps the join's cost per sample at a few typed-array reads.
import { bytesOfHex, hexOf } from '../otlp/ids.js';
import type { SpanContext } from './span-context.js';

/** The same mixing function as the span index's hash table (murmur3-style finaliser). */
export function hashWords(hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca77), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae3d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Big-endian 32-bit word of `b` at `at`. */
export function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

const SCRATCH = new Uint8Array(16);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/** Char codes of the lowercase hex digits. */
const HEX_CODES = new Uint16Array(16);
for (let i = 0; i < 16; i++) HEX_CODES[i] = '0123456789abcdef'.charCodeAt(i);

/**
 * 16 lowercase hex chars of a span id held as two words. One fromCharCode of 16 codes makes
 * a flat string directly, 2-3x faster than going through bytes and Buffer's hex encoder.
 */
export function hexOfWords(hi: number, lo: number): string {
  const c = HEX_CODES;
  return String.fromCharCode(
    c[hi >>> 28]!,
    c[(hi >>> 24) & 15]!,
    c[(hi >>> 20) & 15]!,
    c[(hi >>> 16) & 15]!,
    c[(hi >>> 12) & 15]!,
    c[(hi >>> 8) & 15]!,
    c[(hi >>> 4) & 15]!,
    c[hi & 15]!,
    c[lo >>> 28]!,
    c[(lo >>> 24) & 15]!,
    c[(lo >>> 20) & 15]!,
    c[(lo >>> 16) & 15]!,
    c[(lo >>> 12) & 15]!,
    c[(lo >>> 8) & 15]!,
    c[(lo >>> 4) & 15]!,
    c[lo & 15]!,
  );
}

/** 32 lowercase hex chars of a trace id held as four words at `t[at..at+3]`. */
export function hexOfTraceWords(t: Uint32Array, at: number): string {
  for (let i = 0; i < 4; i++) SCRATCH_VIEW.setUint32(i * 4, t[at + i]!);
  return hexOf(SCRATCH);
}

/** Bytes of a span id held as two words. */
export function bytesOfWords(hi: number, lo: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, hi);
  v.setUint32(4, lo);
  return b;
}

/** Bytes of a trace id held as four words. */
export function bytesOfTraceWords(t: Uint32Array, at: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  for (let i = 0; i < 4; i++) v.setUint32(i * 4, t[at + i]!);
  return b;
}

/**
 * Distinct span ids, numbered 0..count-1 in the order they were first added. Deduplicated
 * through an open-addressing table over the id words. A zero id is never added (it is no
 * span), so 0/0 can mean "none" in the columns below.
 */
export class SpanIdBatch {
  count = 0;
  hi: Uint32Array;
  lo: Uint32Array;
  private table: Int32Array;
  private mask: number;
  private hexes: (string | undefined)[] = [];

  constructor(expected = 16) {
    const cap = Math.max(16, expected);
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    let size = 32;
    while (size < cap * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The number of the id, adding it when new. */
  add(hi: number, lo: number): number {
    for (let i = hashWords(hi, lo) & this.mask; ; i = (i + 1) & this.mask) {
      const e = this.table[i]!;
      if (e === 0) {
        const n = this.count++;
        if (n === this.hi.length) this.grow();
        this.hi[n] = hi;
        this.lo[n] = lo;
        if (this.count * 2 > this.table.length) this.rehash();
        else this.table[i] = n + 1;
        return n;
      }
      if (this.hi[e - 1] === hi && this.lo[e - 1] === lo) return e - 1;
    }
  }

  /** The number of the id, or -1. */
  indexOf(hi: number, lo: number): number {
    for (let i = hashWords(hi, lo) & this.mask; ; i = (i + 1) & this.mask) {
      const e = this.table[i]!;
      if (e === 0) return -1;
      if (this.hi[e - 1] === hi && this.lo[e - 1] === lo) return e - 1;
    }
  }

  /** Id `i` as 16 lowercase hex chars (made once, on first use). */
  hex(i: number): string {
    return (this.hexes[i] ??= hexOfWords(this.hi[i]!, this.lo[i]!));
  }

  /** Every id as hex, for a SpanIndex without the batched form. */
  hexIds(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.hex(i));
  }

  private grow(): void {
    const hi = new Uint32Array(this.hi.length * 2);
    const lo = new Uint32Array(this.lo.length * 2);
    hi.set(this.hi);
    lo.set(this.lo);
    this.hi = hi;
    this.lo = lo;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    this.mask = this.table.length - 1;
    for (let n = 0; n < this.count; n++) {
      let i = hashWords(this.hi[n]!, this.lo[n]!) & this.mask;
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
      this.table[i] = n + 1;
    }
  }
}

/**
 * What an index knows of each id of a SpanIdBatch, column by column (entry `i` answers id
 * `i`). The fields mean what SpanContext's do; ids are words, 0/0 meaning none.
 */
export interface ResolvedSpans {
  /** 1 when the index knows the span. */
  known: Uint8Array;
  /** Four words per span: its trace id. */
  trace: Uint32Array;
  /** The span's name, as a number into `strings`. */
  name: Uint32Array;
  /** The local root's endpoint, as a number into `strings`. */
  endpoint: Uint32Array;
  /** The distinct names and endpoints of this answer (one entry per distinct string). */
  strings: string[];
  /** The local root's number in the batch when the index knows it is one of the batch's ids, else -1. */
  rootRef: Int32Array;
  rootHi: Uint32Array;
  rootLo: Uint32Array;
  /** The parent the local-root walk could not find; 0/0 when the root is certain. */
  missingHi: Uint32Array;
  missingLo: Uint32Array;
}

export function allocResolved(count: number): ResolvedSpans {
  return {
    known: new Uint8Array(count),
    trace: new Uint32Array(count * 4),
    name: new Uint32Array(count),
    endpoint: new Uint32Array(count),
    strings: [],
    rootRef: new Int32Array(count).fill(-1),
    rootHi: new Uint32Array(count),
    rootLo: new Uint32Array(count),
    missingHi: new Uint32Array(count),
    missingLo: new Uint32Array(count),
  };
}

function wordsInto(hex: string, out: Uint32Array, at: number): void {
  const b = bytesOfHex(hex);
  for (let k = 0; k < b.length / 4; k++) out[at + k] = u32be(b, k * 4);
}

/** The batched answer built from per-id contexts (for a SpanIndex that only has `lookup`). */
export function resolvedFromContexts(ids: SpanIdBatch, contextOf: (spanIdHex: string) => SpanContext | undefined): ResolvedSpans {
  const out = allocResolved(ids.count);
  const numbers = new Map<string, number>();
  const numberOf = (s: string): number => {
    let k = numbers.get(s);
    if (k === undefined) numbers.set(s, (k = out.strings.push(s) - 1));
    return k;
  };
  const pair = new Uint32Array(2);
  for (let i = 0; i < ids.count; i++) {
    const ctx = contextOf(ids.hex(i));
    if (!ctx) continue;
    out.known[i] = 1;
    wordsInto(ctx.traceId, out.trace, i * 4);
    out.name[i] = numberOf(ctx.name);
    out.endpoint[i] = numberOf(ctx.traceEndpoint);
    wordsInto(ctx.localRootSpanId, pair, 0);
    out.rootHi[i] = pair[0]!;
    out.rootLo[i] = pair[1]!;
    if (ctx.missingAncestorId) {
      wordsInto(ctx.missingAncestorId, pair, 0);
      out.missingHi[i] = pair[0]!;
      out.missingLo[i] = pair[1]!;
    }
  }
  return out;
}
