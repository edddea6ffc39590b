// Per-request limits on how much an OTLP request may make the bridge build, and the tally the
// pre-scans keep against them. The body size alone does not bound the work: 60 MiB of empty
// messages (`0a 00` repeated) or of JSON `{}` decodes into ~30 M objects, gigabytes of heap and
// tens of seconds of a blocked event loop. The counts are checked before the real decode.
import { RequestLimitError } from '../../errors.js';

export interface RequestLimits {
  /** Nested messages (protobuf) or objects (JSON) in one request. */
  max_messages: number;
  /** Profile samples in one request. */
  max_samples: number;
  /** Entries of the profiles dictionary's string table in one request. */
  max_strings: number;
  /** Attributes (KeyValue, KeyValueAndUnit) in one request, wherever they sit. */
  max_attributes: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  max_messages: 2_000_000,
  max_samples: 1_000_000,
  max_strings: 1_000_000,
  max_attributes: 1_000_000,
});

export type CountedKind = 'samples' | 'strings' | 'attributes';

const WHAT: Record<keyof RequestLimits, string> = {
  max_messages: 'messages',
  max_samples: 'samples',
  max_strings: 'string table entries',
  max_attributes: 'attributes',
};

/**
 * Counts of one request against its limits. Incrementing allocates nothing; the first count
 * over its limit throws a RequestLimitError naming the limit and the config key to raise.
 */
export class Tally {
  messages = 0;
  samples = 0;
  strings = 0;
  attributes = 0;

  /** `configKey`: where the limits live in the config, e.g. `receivers.otlp.protocols.http.limits`. */
  constructor(
    readonly limits: Readonly<RequestLimits>,
    readonly configKey: string,
  ) {}

  message(): void {
    if (++this.messages > this.limits.max_messages) this.exceeded('max_messages');
  }

  count(kind: CountedKind): void {
    switch (kind) {
      case 'samples':
        if (++this.samples > this.limits.max_samples) this.exceeded('max_samples');
        break;
      case 'strings':
        if (++this.strings > this.limits.max_strings) this.exceeded('max_strings');
        break;
      case 'attributes':
        if (++this.attributes > this.limits.max_attributes) this.exceeded('max_attributes');
        break;
    }
  }

  private exceeded(limit: keyof RequestLimits): never {
    throw new RequestLimitError(
      limit,
      `request has more than ${this.limits[limit]} ${WHAT[limit]} (the ${limit} limit); split it into smaller requests or raise ${this.configKey}.${limit}`,
    );
  }
}
