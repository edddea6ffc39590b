// Pyroscope's Push API message (proto/pyroscope/push/v1/push.proto), encoded with our wire
// writer. Pure.
//
//   PushRequest      { repeated RawProfileSeries series = 1; }
//   RawProfileSeries { repeated types.v1.LabelPair labels = 1; repeated RawSample samples = 2; }
//   LabelPair        { string name = 1; string value = 2; }
//   RawSample        { bytes raw_profile = 1; string ID = 2; }
import { Writer } from '../../protobuf/writer.js';
import { writeLabelPairs } from '../shared/label-pair.js';

export interface PushSeries {
  labels: [string, string][];
  samples: { rawProfile: Uint8Array; id: string }[];
}

export const PUSH_PATH = '/push.v1.PusherService/Push';

export function encodePushRequest(series: PushSeries[]): Uint8Array {
  const w = new Writer(1024);
  for (const s of series) {
    w.tag(10); // series
    const seriesStart = w.fork();
    writeLabelPairs(w, 10, s.labels); // labels
    for (const sample of s.samples) {
      w.tag(18); // samples
      const r = w.fork();
      if (sample.rawProfile.length > 0) {
        w.tag(10);
        w.bytes(sample.rawProfile);
      }
      if (sample.id !== '') {
        w.tag(18);
        w.string(sample.id);
      }
      w.join(r);
    }
    w.join(seriesStart);
  }
  return w.finish();
}

/** A 32-hex-digit profile id in UUID form (what Pyroscope's own clients send); others unchanged. */
export function profileUuid(hex: string): string {
  return /^[0-9a-f]{32}$/i.test(hex)
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toLowerCase()
    : hex;
}
