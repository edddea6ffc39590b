import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.js';
import { bytesOfHex, decimalToSpanId, hexOf, isZeroId, spanIdToDecimal } from '../../src/otlp/ids.js';

describe('hex ids', () => {
  it('round trip and agree with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (b) => {
        const h = hexOf(b);
        assert.equal(h, Buffer.from(b).toString('hex'));
        assert.deepStrictEqual(bytesOfHex(h), b);
        assert.deepStrictEqual(bytesOfHex(h.toUpperCase()), b);
      }),
    );
  });

  it('reject odd lengths and non-hex characters with DecodeError', () => {
    for (const bad of ['a', 'abc', 'zz', '0g', ' 0', 'é0', '0x12']) {
      assert.throws(
        () => bytesOfHex(bad),
        (e: unknown) => e instanceof DecodeError && e.code === 'ERR_OTLP_DECODE',
        bad,
      );
    }
    assert.deepStrictEqual(bytesOfHex(''), new Uint8Array(0));
  });

  it('isZeroId', () => {
    assert.equal(isZeroId(new Uint8Array(16)), true);
    assert.equal(isZeroId(new Uint8Array(0)), true);
    assert.equal(isZeroId(Uint8Array.from([0, 0, 0, 1])), false);
  });
});

describe('decimal span ids', () => {
  it('known values', () => {
    assert.equal(spanIdToDecimal(bytesOfHex('0000000000000001')), '1');
    assert.equal(spanIdToDecimal(bytesOfHex('ffffffffffffffff')), '18446744073709551615');
    assert.equal(spanIdToDecimal(bytesOfHex('eee19b7ec3c1b174')), BigInt('0xeee19b7ec3c1b174').toString());
    assert.equal(spanIdToDecimal(bytesOfHex('001fffffffffffff')), String(2 ** 53 - 1));
    assert.equal(spanIdToDecimal(new Uint8Array(0)), '0');
    assert.deepStrictEqual(decimalToSpanId('18446744073709551615'), bytesOfHex('ffffffffffffffff'));
    assert.deepStrictEqual(decimalToSpanId('1'), bytesOfHex('0000000000000001'));
  });

  it('round trip for every 64-bit value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        const dec = spanIdToDecimal(b);
        assert.equal(dec, BigInt('0x' + (hexOf(b) || '0')).toString());
        assert.deepStrictEqual(decimalToSpanId(dec), b);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects what is not an unsigned 64-bit decimal', () => {
    for (const bad of ['', '-1', '1.5', 'abc', '18446744073709551616', '1e3', ' 1']) {
      assert.throws(() => decimalToSpanId(bad), DecodeError, bad);
    }
    assert.throws(() => spanIdToDecimal(new Uint8Array(9)), DecodeError);
  });
});
