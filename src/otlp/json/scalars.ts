// Scalar values of the OTLP/JSON mapping, both ways.
//
// Reading is lenient where the protobuf JSON mapping allows it and strict about types:
// integers may come as numbers or as decimal strings (exponent forms such as "1e3" too, if
// they denote an integer), 64-bit integers are range-checked against their proto type,
// enums are integers (their proto names are accepted as well), bytes are base64 (standard or
// URL-safe, padding optional) except trace/span ids, which are hex. Anything else is a
// DecodeError naming the JSON path.
//
// Writing follows the mapping: 64-bit integers as decimal strings, enums as integers, bytes
// as base64, ids as lowercase hex, non-finite doubles as "NaN" / "Infinity" / "-Infinity".
import { bytesOfHex, hexOf } from '../ids.js';
import { type JsonContext, kindOf } from './context.js';

const INT_RE = /^-?[0-9]+$/;
const NUMBER_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;
const MAX_U64 = 2n ** 64n - 1n;

function expectedInteger(ctx: JsonContext, v: unknown): never {
  return ctx.fail(`expected an integer, got ${kindOf(v) === 'a string' ? JSON.stringify(clip(v as string)) : kindOf(v)}`);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * A JSON integer given as a number or a string, as a number (exact up to 2^53) — or
 * undefined when it is not an integer at all. Plain decimal strings beyond 2^53 go through
 * bigint so the range check is exact; callers check the range.
 */
function integerOf(v: unknown): number | bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  if (INT_RE.test(v)) {
    if (v.length <= 15) return Number(v);
    return BigInt(v);
  }
  if (NUMBER_RE.test(v)) {
    const n = Number(v);
    return Number.isInteger(n) ? n : undefined;
  }
  return undefined;
}

function inRange(ctx: JsonContext, v: unknown, lo: number, hi: number, type: string): number {
  const n = integerOf(v);
  if (n === undefined) expectedInteger(ctx, v);
  const x = Number(n);
  if (x < lo || x > hi) ctx.fail(`${String(v)} is out of range for ${type}`);
  return x === 0 ? 0 : x; // no -0 in the model
}

export function readInt32(ctx: JsonContext, v: unknown): number {
  if (typeof v === 'number' && (v | 0) === v) return v | 0; // fast path; `| 0` turns -0 into 0
  return inRange(ctx, v, -2147483648, 2147483647, 'int32');
}

export function readUint32(ctx: JsonContext, v: unknown): number {
  if (typeof v === 'number' && v >>> 0 === v) return v >>> 0;
  return inRange(ctx, v, 0, 4294967295, 'uint32');
}

/** An int64 the model holds as a number (exact up to 2^53, rounded beyond). */
export function readInt64Number(ctx: JsonContext, v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v === 0 ? 0 : v;
  const n = integerOf(v);
  if (n === undefined) expectedInteger(ctx, v);
  if (typeof n === 'bigint') {
    if (n < MIN_I64 || n > MAX_I64) ctx.fail(`${String(v)} is out of range for int64`);
    return Number(n);
  }
  if (n < -TWO_63 || n >= TWO_63) ctx.fail(`${String(v)} is out of range for int64`);
  return n === 0 ? 0 : n;
}

/** uint64 / fixed64 as a bigint. */
export function readUint64Big(ctx: JsonContext, v: unknown): bigint {
  const n = integerOf(v);
  if (n === undefined) expectedInteger(ctx, v);
  if (typeof n === 'bigint') {
    if (n < 0n || n > MAX_U64) ctx.fail(`${String(v)} is out of range for uint64`);
    return n;
  }
  if (n < 0 || n >= TWO_64) ctx.fail(`${String(v)} is out of range for uint64`);
  return BigInt(n);
}

/** int64 as a bigint (AnyValue.intValue). */
export function readInt64Big(ctx: JsonContext, v: unknown): bigint {
  const n = integerOf(v);
  if (n === undefined) expectedInteger(ctx, v);
  if (typeof n === 'bigint') {
    if (n < MIN_I64 || n > MAX_I64) ctx.fail(`${String(v)} is out of range for int64`);
    return n;
  }
  if (n < -TWO_63 || n >= TWO_63) ctx.fail(`${String(v)} is out of range for int64`);
  return BigInt(n);
}

export function readDouble(ctx: JsonContext, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (NUMBER_RE.test(v)) return Number(v);
  }
  return ctx.fail(`expected a number, got ${kindOf(v)}`);
}

export function readBool(ctx: JsonContext, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  return ctx.fail(`expected a boolean, got ${kindOf(v)}`);
}

export function readString(ctx: JsonContext, v: unknown): string {
  if (typeof v === 'string') return v;
  return ctx.fail(`expected a string, got ${kindOf(v)}`);
}

/** An enum: an int32, or one of its proto names. */
export function readEnum(ctx: JsonContext, v: unknown, names: Readonly<Record<string, number>>): number {
  if (typeof v === 'string' && !NUMBER_RE.test(v)) {
    const n = Object.prototype.hasOwnProperty.call(names, v) ? names[v] : undefined;
    if (n === undefined) ctx.fail(`unknown enum value ${JSON.stringify(clip(v))}`);
    return n;
  }
  return readInt32(ctx, v);
}

const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Standard or URL-safe base64, padding optional. */
export function readBase64(ctx: JsonContext, v: unknown): Uint8Array {
  if (typeof v !== 'string') return ctx.fail(`expected a base64 string, got ${kindOf(v)}`);
  if (v.length === 0) return new Uint8Array(0);
  const unpadded = v.endsWith('==') ? v.length - 2 : v.endsWith('=') ? v.length - 1 : v.length;
  if (!BASE64_RE.test(v) || unpadded % 4 === 1 || (unpadded !== v.length && v.length % 4 !== 0)) {
    ctx.fail(`invalid base64 ${JSON.stringify(clip(v))}`);
  }
  const b = Buffer.from(v, 'base64');
  // Small results live in Buffer's shared pool: copy those (as the protobuf decoder does),
  // so the bytes own their memory; a large one already has its own ArrayBuffer.
  return b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}

/** traceId / spanId / parentSpanId: hex, either case. */
export function readHexId(ctx: JsonContext, v: unknown): Uint8Array {
  if (typeof v !== 'string') return ctx.fail(`expected a hex string, got ${kindOf(v)}`);
  try {
    return bytesOfHex(v);
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
}

const HEX32_RE = /^[0-9a-fA-F]{32}$/;

/** profileId: 32 hex digits (what the Collector writes) or base64. */
export function readProfileId(ctx: JsonContext, v: unknown): Uint8Array {
  if (typeof v === 'string' && HEX32_RE.test(v)) return bytesOfHex(v);
  return readBase64(ctx, v);
}

// ------------------------------------------------------------------ writing

export function base64Of(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export { hexOf };

/** profileId: hex when it is the usual 16 bytes (so it reads back as hex), base64 otherwise. */
export function profileIdToJson(b: Uint8Array): string {
  return b.length === 16 ? hexOf(b) : base64Of(b);
}

/** An int64 held as a number, as a decimal string. */
export function int64ToJson(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  if (!Number.isFinite(n)) return '0';
  return BigInt(Math.trunc(n)).toString();
}

/** A double; -0 as the string "-0" so that it survives JSON.stringify (which prints 0). */
export function doubleToJson(n: number): number | string {
  if (Number.isFinite(n)) return n === 0 && 1 / n < 0 ? '-0' : n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}
