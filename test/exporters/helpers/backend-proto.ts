// The backends' own messages read by an independent decoder: protobufjs loading our proto/
// files for Pyroscope's PushRequest and Parca's WriteRawRequest, so the test doubles parse
// what our hand-written encoders produce the way the real servers' generated code would.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const FILES = ['pyroscope/push/v1/push.proto', 'parca/profilestore/v1alpha1/profilestore.proto'];

function protoDir(): string {
  for (const rel of ['../../../../proto/', '../../../proto/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, FILES[0]!))) return dir;
  }
  throw new Error('proto/ directory not found next to the tests');
}

let root: protobuf.Root | undefined;

export function backendRoot(): protobuf.Root {
  if (root) return root;
  const dir = protoDir();
  const r = new protobuf.Root();
  r.resolvePath = (_origin: string, target: string): string => (target.startsWith(dir) ? target : join(dir, target));
  r.loadSync(FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

export interface DecodedPush {
  series: { labels: { name: string; value: string }[]; samples: { raw_profile: Uint8Array; ID: string }[] }[];
}

export function decodePushRequest(bytes: Uint8Array): DecodedPush {
  const t = backendRoot().lookupType('push.v1.PushRequest');
  return t.toObject(t.decode(bytes), { defaults: true, arrays: true }) as DecodedPush;
}

export interface DecodedWriteRaw {
  tenant: string;
  normalized: boolean;
  series: { labels: { labels: { name: string; value: string }[] } | null; samples: { raw_profile: Uint8Array }[] }[];
}

export function decodeWriteRawRequest(bytes: Uint8Array): DecodedWriteRaw {
  const t = backendRoot().lookupType('parca.profilestore.v1alpha1.WriteRawRequest');
  return t.toObject(t.decode(bytes), { defaults: true, arrays: true }) as DecodedWriteRaw;
}

export function labelMap(labels: { name: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l.name, l.value]));
}
