// Held profile requests on disk, for a join processor with a `directory`: one file per held
// request, in the sending queue's item format (src/exporters/shared/persist.ts: written to a
// temporary name, fsync'd and renamed, so a crash leaves the whole request or nothing). The
// body is the request as received (OTLP protobuf, before any join), so a restart joins it
// again; the header says which pipeline it belongs to and when it was first held.
import { mkdir } from 'node:fs/promises';
import { decodeProfilesRequest } from '../otlp/decode.js';
import { encodeProfilesRequest } from '../otlp/encode.js';
import type { ExportProfilesServiceRequest } from '../otlp/model.js';
import { listItemFiles, quarantineItemFile, readItemFile, removeItemFile, writeItemFile } from '../exporters/shared/persist.js';

export interface StoredHold {
  seq: number;
  file: string;
  /** Index of the pipeline (the processor's nth profiles consumer) it was held for. */
  pipeline: number;
  /** ms since the epoch when it was first held. */
  created: number;
  request: ExportProfilesServiceRequest;
}

export class HoldFiles {
  private nextSeq = 1;

  constructor(readonly directory: string) {}

  /** Writes a held request; resolves with its file once it is on disk. */
  async write(pipeline: number, created: number, request: ExportProfilesServiceRequest): Promise<string> {
    const seq = this.nextSeq++;
    return writeItemFile(this.directory, seq, { key: `pipeline#${pipeline}`, meta: { pipeline }, created }, encodeProfilesRequest(request));
  }

  remove(file: string): Promise<void> {
    return removeItemFile(file);
  }

  /**
   * Every held request left by an earlier run, oldest first. Files that cannot be read are
   * moved aside (`*.corrupt`) and reported through `onCorrupt`, never retried.
   */
  async load(onCorrupt: (file: string, err: unknown) => void): Promise<StoredHold[]> {
    await mkdir(this.directory, { recursive: true });
    const out: StoredHold[] = [];
    for (const { seq, file } of await listItemFiles(this.directory)) {
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      try {
        const { header, body } = await readItemFile(file);
        const pipeline = header.meta.pipeline;
        if (typeof pipeline !== 'number') throw new Error('held request file lacks its pipeline');
        out.push({ seq, file, pipeline, created: header.created, request: decodeProfilesRequest(body) });
      } catch (e) {
        onCorrupt(file, e);
        await quarantineItemFile(file);
      }
    }
    return out;
  }
}
