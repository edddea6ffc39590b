// Parca's WriteRawRequest (proto/parca/profilestore/v1alpha1/profilestore.proto), encoded
// with our wire writer. Pure.
//
//   WriteRawRequest  { string tenant = 1 (unused); repeated RawProfileSeries series = 2; bool normalized = 3; }
//   RawProfileSeries { LabelSet labels = 1; repeated RawSample samples = 2; }
//   LabelSet         { repeated Label labels = 1; }
//   Label            { string name = 1; string value = 2; }
//   RawSample        { bytes raw_profile = 1; }
import { Writer } from '../../protobuf/writer.js';
import { writeLabelPairs } from '../shared/label-pair.js';

export const WRITE_RAW_METHOD = '/parca.profilestore.v1alpha1.ProfileStoreService/WriteRaw';

export interface RawSeries {
  labels: [string, string][];
  samples: Uint8Array[];
}

export function encodeWriteRawRequest(series: RawSeries[], normalized: boolean): Uint8Array {
  const w = new Writer(1024);
  for (const s of series) {
    w.tag(18); // series
    const seriesStart = w.fork();
    w.tag(10); // labels: LabelSet
    const set = w.fork();
    writeLabelPairs(w, 10, s.labels);
    w.join(set);
    for (const raw of s.samples) {
      w.tag(18); // samples
      const r = w.fork();
      if (raw.length > 0) {
        w.tag(10);
        w.bytes(raw);
      }
      w.join(r);
    }
    w.join(seriesStart);
  }
  if (normalized) {
    w.tag(24);
    w.varint32(1);
  }
  return w.finish();
}
