// Reads a saved OTLP profiles message from a file: an ExportProfilesServiceRequest or a
// ProfilesData (same field numbers, so one reader serves both), in protobuf or OTLP/JSON,
// optionally gzip'd. Errors are InputErrors that say what the file is and what was expected.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { BridgeError, errorMessage } from '../errors.js';
import { decodeProfilesRequest } from '../otlp/decode.js';
import { profilesRequestFromJson } from '../otlp/json.js';
import type { ExportProfilesServiceRequest } from '../otlp/model.js';

/** The input file cannot be used (missing, unreadable, not OTLP profiles). */
export class InputError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INPUT', message, options);
  }
}

export type InputFormat = 'protobuf' | 'json';

export interface ProfilesInput {
  request: ExportProfilesServiceRequest;
  format: InputFormat;
  gzip: boolean;
  /** Bytes read from disk. */
  fileBytes: number;
}

/** The format an extension names (`.json`, `.pb`, ... with or without `.gz`), if any. */
export function formatByExtension(path: string): InputFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.pb') || name.endsWith('.binpb') || name.endsWith('.protobuf')) return 'protobuf';
  return undefined;
}

/**
 * JSON by extension, else by sniffing: the first non-space byte is `{`. A sniff is only a
 * guess (a protobuf request starts with 0x0a, a newline, and its next byte may be 0x7b), so
 * parseProfilesInput falls back to protobuf when a sniffed JSON does not parse.
 */
export function detectFormat(path: string, bytes: Uint8Array): InputFormat {
  const byExt = formatByExtension(path);
  if (byExt) return byExt;
  for (let i = 0; i < bytes.length && i < 4096; i++) {
    const b = bytes[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (i === 0 && b === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      i += 2; // UTF-8 byte order mark
      continue;
    }
    return b === 0x7b ? 'json' : 'protobuf';
  }
  return 'protobuf';
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses bytes already read from `path` (which names the input in messages). */
export function parseProfilesInput(path: string, raw: Uint8Array): ProfilesInput {
  const gzip = isGzip(raw);
  if (!gzip && path.toLowerCase().endsWith('.gz')) throw new InputError(`${path}: the name ends in .gz but the content is not gzip`);
  let bytes = raw;
  if (gzip) {
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new InputError(`${path}: cannot gunzip: ${errorMessage(e)}`, { cause: e });
    }
  }
  let format = detectFormat(path, bytes);
  let request: ExportProfilesServiceRequest;
  if (format === 'json' && formatByExtension(path) === undefined) {
    try {
      request = decodeAs(path, bytes, 'json');
    } catch (jsonError) {
      try {
        request = decodeAs(path, bytes, 'protobuf');
        format = 'protobuf';
      } catch {
        throw jsonError;
      }
    }
  } else {
    request = decodeAs(path, bytes, format);
  }
  if (!request.resourceProfiles.some((rp) => rp.scopeProfiles.some((sp) => sp.profiles.length > 0))) {
    throw new InputError(
      `${path}: no profiles found (read as ${format}${gzip ? ', gzip' : ''}); expected an OTLP ExportProfilesServiceRequest or ProfilesData`,
    );
  }
  return { request, format, gzip, fileBytes: raw.byteLength };
}

function decodeAs(path: string, bytes: Uint8Array, format: InputFormat): ExportProfilesServiceRequest {
  if (format === 'protobuf') {
    try {
      return decodeProfilesRequest(bytes);
    } catch (e) {
      throw new InputError(`${path}: not an OTLP profiles protobuf (ExportProfilesServiceRequest or ProfilesData): ${errorMessage(e)}`, { cause: e });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON: ${errorMessage(e)}`, { cause: e });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${path}: expected an OTLP/JSON ExportProfilesServiceRequest or ProfilesData object`);
  }
  try {
    return profilesRequestFromJson(value);
  } catch (e) {
    throw new InputError(`${path}: not OTLP/JSON profiles: ${errorMessage(e)}`, { cause: e });
  }
}

export async function readProfilesInput(path: string): Promise<ProfilesInput> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(e);
    throw new InputError(`cannot read ${path}: ${why}`, { cause: e });
  }
  return parseProfilesInput(path, raw);
}
