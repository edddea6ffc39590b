// Wire primitives: our Writer's bytes equal protobufjs's for every scalar kind, and our
// Reader reads back what either wrote, with bounds checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { DecodeError } from '../../src/errors.js';
import { Reader } from '../../src/protobuf/reader.js';
import { Writer } from '../../src/protobuf/writer.js';

function ours(write: (w: Writer) => void): Uint8Array {
  const w = new Writer(16);
  write(w);
  return w.finish();
}

function theirs(write: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  write(w);
  return Uint8Array.from(w.finish());
}

describe('varints', () => {
  it('int32 as protobufjs writes it (negative = 10 bytes), read back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        const bytes = ours((w) => w.int32(v));
        assert.deepStrictEqual(
          bytes,
          theirs((w) => w.int32(v)),
        );
        if (v < 0) assert.equal(bytes.length, 10);
        const r = new Reader(bytes);
        assert.equal(r.int32(), v);
        assert.equal(r.pos, bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('uint32 read of a value written as uint32', () => {
    for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 - 1]) {
      const bytes = ours((w) => w.varint32(v));
      assert.deepStrictEqual(
        bytes,
        theirs((w) => w.uint32(v)),
      );
      assert.equal(new Reader(bytes).uint32(), v);
    }
  });

  it('int64 held as a number, exact across the safe range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer()), (v) => {
        const bytes = ours((w) => w.int64Number(v));
        assert.deepStrictEqual(
          bytes,
          theirs((w) => w.int64(v)),
        );
        assert.equal(new Reader(bytes).int64Number(), v);
      }),
      { numRuns: 500 },
    );
  });

  it('uint64 and int64 held as bigints, all 64 bits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const bytes = ours((w) => w.varintBig(v));
        assert.deepStrictEqual(
          bytes,
          theirs((w) => w.uint64(v.toString() as unknown as number)),
        );
        assert.equal(new Reader(bytes).uint64Big(), v);
        assert.equal(new Reader(bytes).int64Big(), BigInt.asIntN(64, v));
      }),
      { numRuns: 500 },
    );
    assert.equal(new Reader(ours((w) => w.varintBig(-1n))).int64Big(), -1n);
  });

  it('bool: any non-zero varint is true, even with only high bits set', () => {
    assert.equal(new Reader(Uint8Array.from([0])).bool(), false);
    assert.equal(new Reader(Uint8Array.from([1])).bool(), true);
    assert.equal(new Reader(ours((w) => w.varintBig(2n ** 40n))).bool(), true);
  });

  it('int32 reads the low 32 bits of a longer varint', () => {
    // 2^32 + 5 as a varint -> int32 5
    assert.equal(new Reader(ours((w) => w.varintBig(2n ** 32n + 5n))).int32(), 5);
  });
});

describe('fixed width, strings and bytes', () => {
  it('fixed32, fixed64, double as protobufjs writes them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.double(), (a, b, d) => {
        const bytes = ours((w) => {
          w.fixed32(a);
          w.fixed64Big(b);
          w.double(d);
        });
        assert.deepStrictEqual(
          bytes,
          theirs((w) =>
            w
              .fixed32(a)
              .fixed64(b.toString() as unknown as number)
              .double(d),
          ),
        );
        const r = new Reader(bytes);
        assert.equal(r.fixed32(), a);
        assert.equal(r.fixed64Big(), b);
        assert.ok(Object.is(r.double(), d));
      }),
      { numRuns: 300 },
    );
  });

  it('strings of any length and script encode as protobufjs does and read back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 200 })), (s) => {
        const bytes = ours((w) => w.string(s));
        assert.deepStrictEqual(
          bytes,
          theirs((w) => w.string(s)),
        );
        assert.equal(new Reader(bytes).string(), s);
      }),
      { numRuns: 500 },
    );
  });

  it('a lone surrogate becomes U+FFFD; invalid UTF-8 reads as U+FFFD', () => {
    const bytes = ours((w) => w.string('a\ud800b'));
    assert.deepStrictEqual(Array.from(bytes), [5, 97, 0xef, 0xbf, 0xbd, 98]);
    assert.equal(new Reader(Uint8Array.from([3, 97, 0xff, 98])).string(), 'a\ufffdb');
    assert.equal(new Reader(Uint8Array.from([12, ...Buffer.from('abcdefghij'), 0xc3, 0x28])).string(), 'abcdefghij\ufffd(');
  });

  it('bytes are copies, never views into the input', () => {
    const input = ours((w) => w.bytes(Uint8Array.from([1, 2, 3])));
    const got = new Reader(input).bytes();
    input[1] = 99;
    assert.deepStrictEqual(got, Uint8Array.from([1, 2, 3]));
  });

  it('embedded messages of every length-prefix size are moved into place correctly', () => {
    for (const size of [0, 1, 127, 128, 300, 16383, 16384, 70000, 2_100_000]) {
      const body = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
      const bytes = ours((w) => {
        w.tag(10);
        const start = w.fork();
        w.bytes(body.subarray(0, 0)); // an empty inner field (1 byte)
        for (let i = 0; i < size; i += 4096) {
          const chunk = body.subarray(i, Math.min(size, i + 4096));
          w.ensure(chunk.length);
          w.buf.set(chunk, w.pos);
          w.pos += chunk.length;
        }
        w.join(start);
        w.tag(16);
        w.varint32(7);
      });
      const expected = theirs((w) =>
        w
          .uint32(10)
          .bytes(Uint8Array.from([0, ...body]))
          .uint32(16)
          .uint32(7),
      );
      assert.deepStrictEqual(bytes, expected, `size ${size}`);
    }
  });
});

describe('reader bounds', () => {
  it('every read past the end throws DecodeError', () => {
    const reads: [string, (r: Reader) => unknown, number[]][] = [
      ['int32', (r) => r.int32(), [0x80]],
      ['int64Number', (r) => r.int64Number(), [0xff, 0xff, 0xff, 0xff, 0xff]],
      ['uint64Big', (r) => r.uint64Big(), [0x80, 0x80]],
      ['fixed32', (r) => r.fixed32(), [1, 2, 3]],
      ['fixed64', (r) => r.fixed64Big(), [1, 2, 3, 4, 5, 6, 7]],
      ['double', (r) => r.double(), [1]],
      ['string', (r) => r.string(), [5, 97]],
      ['bytes', (r) => r.bytes(), [2, 1]],
      ['empty', (r) => r.int32(), []],
    ];
    for (const [name, read, bytes] of reads) {
      assert.throws(
        () => read(new Reader(Uint8Array.from(bytes))),
        (e: unknown) => e instanceof DecodeError && /truncated/.test(e.message),
        name,
      );
    }
  });

  it('reads stop at the limit of the current message, not the end of the buffer', () => {
    // outer length 1 holds a varint cut short; the byte after it belongs to the parent
    const r = new Reader(Uint8Array.from([1, 0x80, 0x01]));
    const saved = r.enter();
    assert.throws(() => r.int32(), /truncated varint/);
    r.leave(saved);
  });
});
