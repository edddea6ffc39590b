// The file exporter: every profile of a request becomes a gzip'd pprof plus a JSON sidecar
// in a directory tree (layout in ./layout.ts). Writes happen before consumeProfiles
// resolves, so an accepted request is on disk; a write that fails refuses the request as
// retryable, and since names and bytes depend only on the request, the retry rewrites the
// same files instead of duplicating them.
import { createHash } from 'node:crypto';
import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ConsumerError, errorMessage } from '../../errors.js';
import { encodeProfilesRequest } from '../../otlp/encode.js';
import type { ExportProfilesServiceRequest } from '../../otlp/model.js';
import { ACCEPTED, type ConsumeResult } from '../../component/consumer.js';
import type { ComponentContext, Exporter } from '../../component/factory.js';
import { removeTempFiles, writeFileAtomic } from '../shared/atomic-write.js';
import { convertedUploads } from '../shared/pprof-uploads.js';
import type { FileExporterConfig } from './config.js';
import { fileTimestamp } from './layout.js';
import { fileExporterMetrics, type FileExporterMetrics } from './metrics.js';
import { writeProfileFiles } from './writer.js';

/** Conversion errors quoted in a partial-success message; the rest are counted. */
const QUOTED_ERRORS = 3;

export class FileExporter implements Exporter {
  private readonly metrics: FileExporterMetrics;
  private readonly inFlight = new Set<Promise<unknown>>();
  private cleanup: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    private readonly config: FileExporterConfig,
    private readonly ctx: ComponentContext,
  ) {
    this.metrics = fileExporterMetrics(ctx.metrics, ctx.id);
  }

  /** Creates the directory and checks it is writable, so a bad path fails at start-up. */
  async start(): Promise<void> {
    const dir = this.config.directory;
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    } catch (e) {
      throw new ConfigError(`exporters.${this.ctx.id}.directory: ${dir} is not a writable directory: ${errorMessage(e)}`);
    }
    // Temporary files of writes a crash interrupted (<dir>/<service>/<type>/.x.tmp-...),
    // cleared in the background: the tree may be large and nothing waits on it.
    this.cleanup = removeTempFiles(dir, 2).then(
      (n) => n > 0 && this.ctx.logger.info({ directory: dir, removed: n }, 'removed temporary files left by interrupted writes'),
      (e) => this.ctx.logger.warn({ directory: dir, err: errorMessage(e) }, 'could not clear temporary files'),
    );
  }

  consumeProfiles(request: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    if (this.closed) {
      return Promise.reject(
        new ConsumerError('ERR_PIPELINE_UNAVAILABLE', `exporters.${this.ctx.id} is shutting down`, { retryable: true, retryAfterSeconds: 1 }),
      );
    }
    const p = this.write(request);
    this.inFlight.add(p);
    void p.then(
      () => this.inFlight.delete(p),
      () => this.inFlight.delete(p),
    );
    return p;
  }

  /**
   * `format: otlp`: the request itself, so it can be replayed or converted later. The name is
   * the earliest profile time and a hash of the bytes: a retry rewrites the same file.
   */
  private async writeRequest(request: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    const bytes = encodeProfilesRequest(request);
    let earliest: bigint | undefined;
    for (const rp of request.resourceProfiles)
      for (const sp of rp.scopeProfiles)
        for (const p of sp.profiles) if (earliest === undefined || p.timeUnixNano < earliest) earliest = p.timeUnixNano;
    const name = `${fileTimestamp(earliest ?? 0n)}_${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.binpb`;
    const path = join(this.config.directory, name);
    try {
      await writeFileAtomic(path, bytes, { fsync: this.config.fsync });
    } catch (e) {
      this.metrics.writeError();
      this.ctx.logger.error({ directory: this.config.directory, err: errorMessage(e) }, 'cannot write request file');
      throw new ConsumerError('ERR_EXPORT_RETRYABLE', `exporters.${this.ctx.id}: cannot write request: ${errorMessage(e)}`, {
        retryable: true,
        cause: e,
      });
    }
    this.metrics.written(bytes.byteLength);
    this.ctx.logger.debug({ file: path, bytes: bytes.byteLength }, 'request written');
    return ACCEPTED;
  }

  private async write(request: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    if (this.config.format === 'otlp') return this.writeRequest(request);
    // In a worker thread when the bridge has them (see ../shared/pprof-uploads.ts); a full
    // pool refuses the request (retryable) before anything is written.
    const { uploads, errors } = await convertedUploads(request, this.ctx.workers);
    for (const { converted, gzip } of uploads) {
      let written;
      try {
        written = await writeProfileFiles(this.config.directory, converted, gzip, {
          fsync: this.config.fsync,
          sidecar: this.config.sidecar,
        });
      } catch (e) {
        this.metrics.writeError();
        this.ctx.logger.error({ directory: this.config.directory, err: errorMessage(e) }, 'cannot write profile file');
        throw new ConsumerError('ERR_EXPORT_RETRYABLE', `exporters.${this.ctx.id}: cannot write profile: ${errorMessage(e)}`, {
          retryable: true,
          cause: e,
        });
      }
      this.metrics.written(written.bytes);
      this.ctx.logger.debug({ file: written.pprofPath, bytes: written.bytes }, 'profile written');
    }
    if (errors.length === 0) return ACCEPTED;
    this.metrics.rejected(errors.length);
    const quoted = errors.slice(0, QUOTED_ERRORS);
    if (errors.length > QUOTED_ERRORS) quoted.push(`and ${errors.length - QUOTED_ERRORS} more`);
    const message = `${errors.length} profile(s) could not be converted to pprof: ${quoted.join('; ')}`;
    this.ctx.logger.warn({ rejected: errors.length, err: message }, 'profiles left out');
    return { rejected: errors.length, message };
  }

  /** Stops accepting and waits for writes under way. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight, this.cleanup]);
  }
}
