// Typed arrays grown by doubling, keeping their contents: the column builders here and the
// pprof builder's interning tables (src/pprof) append to typed arrays of unknown final size.
// One function per array type, so that each call site stays monomorphic.

/** Grows `a` to at least `n` elements (doubling), keeping its contents; `a` itself when it is long enough. */
export function growInt32<B extends ArrayBufferLike>(a: Int32Array<B>, n: number): Int32Array<B> | Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(grownSize(a.length, n));
  b.set(a);
  return b;
}

/** growInt32 for a Float64Array. */
export function growFloat64<B extends ArrayBufferLike>(a: Float64Array<B>, n: number): Float64Array<B> | Float64Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Float64Array(grownSize(a.length, n));
  b.set(a);
  return b;
}

/** growInt32 for a Uint32Array. */
export function growUint32<B extends ArrayBufferLike>(a: Uint32Array<B>, n: number): Uint32Array<B> | Uint32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint32Array(grownSize(a.length, n));
  b.set(a);
  return b;
}

function grownSize(length: number, n: number): number {
  let size = Math.max(1, length) * 2;
  while (size < n) size *= 2;
  return size;
}
