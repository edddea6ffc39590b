// The `{ string name = 1; string value = 2; }` label message that Pyroscope's LabelPair and
// Parca's Label both are, written as one repeated field of the enclosing message.
import type { Writer } from '../../protobuf/writer.js';

/** Writes `labels` as repeated messages under `fieldTag` (the field's wire tag). */
export function writeLabelPairs(w: Writer, fieldTag: number, labels: readonly [string, string][]): void {
  for (const [name, value] of labels) {
    w.tag(fieldTag);
    const l = w.fork();
    if (name !== '') {
      w.tag(10);
      w.string(name);
    }
    if (value !== '') {
      w.tag(18);
      w.string(value);
    }
    w.join(l);
  }
}
