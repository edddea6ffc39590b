// The on-disk form of a persisted sending queue: one file per item, named by its sequence
// number so a directory listing sorted by name is the delivery order.
//
//   <16-digit seq>.item = "OPBQ" | version (1 byte) | header length (uint32 BE) | header JSON | body
//
// The header holds the item's series key and its small metadata (never credentials: those
// come from the config at send time). Files are written to a temporary name, flushed and
// renamed (src/exporters/shared/atomic-write.ts), so a crash leaves either the whole item
// or no item; leftover temporary files are removed at the next start.
import { open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { removeTempFiles, writeFileAtomic } from './atomic-write.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type ItemMeta = Record<string, JsonValue>;

export interface ItemHeader {
  key: string;
  meta: ItemMeta;
  /** ms since the epoch when the item was first queued. */
  created: number;
}

const MAGIC = Buffer.from('OPBQ', 'latin1');
const VERSION = 1;
const PREAMBLE = MAGIC.length + 1 + 4;
const NAME = /^(\d{16})\.item$/;
/** A header is a key and a few fields; anything bigger is a corrupt file. */
const MAX_HEADER = 1 << 20;

export function itemFileName(seq: number): string {
  return `${String(seq).padStart(16, '0')}.item`;
}

export function encodeItemFile(header: ItemHeader, body: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pre = Buffer.alloc(PREAMBLE);
  MAGIC.copy(pre, 0);
  pre[MAGIC.length] = VERSION;
  pre.writeUInt32BE(json.length, MAGIC.length + 1);
  return Buffer.concat([pre, json, body]);
}

export class CorruptItemError extends Error {}

/** The header, and where the body starts. Throws CorruptItemError for anything malformed. */
export function decodeItemHeader(buf: Uint8Array): { header: ItemHeader; bodyStart: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < PREAMBLE || !b.subarray(0, MAGIC.length).equals(MAGIC)) throw new CorruptItemError('not a queue item file');
  if (b[MAGIC.length] !== VERSION) throw new CorruptItemError(`unknown queue item version ${b[MAGIC.length]}`);
  const len = b.readUInt32BE(MAGIC.length + 1);
  if (len > MAX_HEADER || PREAMBLE + len > b.length) throw new CorruptItemError('truncated queue item header');
  let header: unknown;
  try {
    header = JSON.parse(b.subarray(PREAMBLE, PREAMBLE + len).toString('utf8'));
  } catch {
    throw new CorruptItemError('queue item header is not JSON');
  }
  const h = header as Partial<ItemHeader>;
  if (typeof h.key !== 'string' || typeof h.created !== 'number' || h.meta === null || typeof h.meta !== 'object' || Array.isArray(h.meta)) {
    throw new CorruptItemError('queue item header lacks key, meta or created');
  }
  return { header: h as ItemHeader, bodyStart: PREAMBLE + len };
}

/** Writes the item under its final name atomically (temporary file, fsync, rename). */
export async function writeItemFile(dir: string, seq: number, header: ItemHeader, body: Uint8Array): Promise<string> {
  const final = join(dir, itemFileName(seq));
  await writeFileAtomic(final, encodeItemFile(header, body), { fsync: true, mode: 0o600, mkdirs: false });
  return final;
}

export interface StoredItem {
  seq: number;
  file: string;
}

/** Items in the directory, in sequence order; temporary files left by a crash are deleted. */
export async function listItemFiles(dir: string): Promise<StoredItem[]> {
  await removeTempFiles(dir);
  const out: StoredItem[] = [];
  for (const name of await readdir(dir)) {
    const m = NAME.exec(name);
    if (m) out.push({ seq: Number(m[1]), file: join(dir, name) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Reads just the header of an item file (the body may be large), and the file's size. */
export async function readItemHeader(file: string): Promise<{ header: ItemHeader; size: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const pre = Buffer.alloc(Math.min(size, PREAMBLE));
    await fh.read(pre, 0, pre.length, 0);
    if (pre.length < PREAMBLE) throw new CorruptItemError('truncated queue item');
    const len = pre.readUInt32BE(MAGIC.length + 1);
    if (len > MAX_HEADER || PREAMBLE + len > size) {
      decodeItemHeader(pre); // reports magic / version problems first
      throw new CorruptItemError('truncated queue item header');
    }
    const head = Buffer.alloc(PREAMBLE + len);
    await fh.read(head, 0, head.length, 0);
    return { header: decodeItemHeader(head).header, size };
  } finally {
    await fh.close();
  }
}

export async function readItemFile(file: string): Promise<{ header: ItemHeader; body: Uint8Array }> {
  const buf = await readFile(file);
  const { header, bodyStart } = decodeItemHeader(buf);
  return { header, body: buf.subarray(bodyStart) };
}

/** Deletes an item file; a file already gone is fine. */
export async function removeItemFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Moves an unreadable item aside (kept for inspection, never retried). */
export async function quarantineItemFile(file: string): Promise<void> {
  await rename(file, `${file}.corrupt`).catch(() => rm(file, { force: true }));
}
