// Zero-copy hand-over of bytes to another thread: a Uint8Array that is the whole of its
// ArrayBuffer can be transferred (the sender loses it, nothing is copied). A view into a
// larger or shared buffer (Node's pooled small Buffers, a slice) is copied first, since
// transferring would take the rest of that buffer away from its other users.
export function ownedBytes(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy;
}

/** The transfer list for `ownedBytes(b)`'s result. */
export function transferOf(b: Uint8Array): ArrayBuffer[] {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? [b.buffer] : [];
}
