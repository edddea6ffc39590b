// The package's public entry point works as a library: a user can decode OTLP, convert it
// to pprof and run a bridge from code, with nothing but the root export.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bridge from '../../src/index.js';
import { fullProfilesRequest } from '../fixtures/profiles-request.js';

describe('public API', () => {
  it('round-trips a profiles request and converts it to pprof through the root export', () => {
    const req = fullProfilesRequest();
    const bytes = bridge.otlp.encodeProfilesRequest(req);
    const back = bridge.otlp.decodeProfilesRequest(bytes);
    assert.deepEqual(back, req);
    const { profiles, errors } = bridge.convertProfilesRequest(back);
    assert.equal(errors.length, 0);
    assert.deepEqual(
      profiles.map((p) => p.profileType),
      ['cpu', 'wall'],
    );
    assert.equal(profiles[0]!.seriesLabels['service.name'], 'checkout');
    const gz = bridge.encodePprofGzip(profiles[0]!.profile);
    assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
  });

  it('exposes error classes with stable codes', () => {
    assert.throws(
      () => bridge.otlp.decodeProfilesRequest(Uint8Array.from([0x0a, 9])),
      (e: unknown) => e instanceof bridge.DecodeError && e.code === 'ERR_OTLP_DECODE',
    );
  });
});
