import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isTempFileName, removeTempFiles, writeFileAtomic } from '../../../src/exporters/shared/atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opb-atomic-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, creates parents, replaces, and leaves no temporary file', async () => {
    const p = join(dir, 'a', 'b', 'x.bin');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(p)], [1, 2, 3]);
    await writeFileAtomic(p, 'text', { fsync: false });
    assert.equal(readFileSync(p, 'utf8'), 'text');
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['x.bin']);
  });

  it('concurrent writers to one name: the file is always one whole version', async () => {
    const p = join(dir, 'race.bin');
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i + 1));
    await Promise.all(versions.map((v) => writeFileAtomic(p, v)));
    const got = readFileSync(p);
    assert.equal(got.length, 256 * 1024);
    assert.ok(
      got.every((b) => b === got[0]),
      'all bytes from one writer',
    );
    assert.deepEqual(readdirSync(dir).filter(isTempFileName), []);
  });

  it('a failed write leaves neither the file nor a temporary', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    await assert.rejects(writeFileAtomic(join(blocker, 'y.bin'), 'data'), /ENOTDIR|EEXIST/);
    const sub = join(dir, 'target-is-dir');
    mkdirSync(join(sub, 'z.bin'), { recursive: true });
    await assert.rejects(writeFileAtomic(join(sub, 'z.bin'), 'data'), /EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    assert.deepEqual(readdirSync(sub), ['z.bin']);
    assert.ok(statSync(join(sub, 'z.bin')).isDirectory());
  });

  it('removeTempFiles clears leftovers, nothing else, down to the given depth', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 's', 't'), { recursive: true });
    writeFileSync(join(root, '.a.pb.gz.tmp-0123456789ab'), 'x');
    writeFileSync(join(root, 's', 't', '.b.json.tmp-ba9876543210'), 'x');
    writeFileSync(join(root, 's', 't', 'keep.pb.gz'), 'x');
    writeFileSync(join(root, 's', 't', '.hidden'), 'x');
    assert.equal(await removeTempFiles(root, 0), 1);
    assert.equal(await removeTempFiles(root, 2), 1);
    assert.deepEqual(readdirSync(join(root, 's', 't')).sort(), ['.hidden', 'keep.pb.gz']);
    assert.equal(await removeTempFiles(join(dir, 'missing'), 2), 0);
  });

  it('a process killed while writing leaves only whole files under final names', async () => {
    const out = join(dir, 'crash');
    mkdirSync(out);
    const mod = new URL('../../../src/exporters/shared/atomic-write.js', import.meta.url).href;
    const SIZE = 2 * 1024 * 1024;
    const script = `
      const { writeFileAtomic } = await import(${JSON.stringify(mod)});
      for (let i = 0; i < 200; i++) {
        await writeFileAtomic(${JSON.stringify(out)} + '/f' + i + '.bin', Buffer.alloc(${SIZE}, i % 250 + 1));
        process.stdout.write('wrote ' + i + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').filter(Boolean).length;
      // Killed in the middle of a later write (each takes a while at 2 MiB with fsync).
      if (lines >= 3 && !child.killed) child.kill('SIGKILL');
    });
    await exited;
    const finals = readdirSync(out).filter((n) => !isTempFileName(n));
    assert.ok(finals.length >= 3);
    for (const name of finals) {
      const b = readFileSync(join(out, name));
      assert.equal(b.length, SIZE, `${name} is whole`);
      assert.ok(
        b.every((x) => x === b[0]),
        `${name} has one writer's bytes`,
      );
    }
    await removeTempFiles(out);
    assert.deepEqual(readdirSync(out).filter(isTempFileName), []);
  });
});
