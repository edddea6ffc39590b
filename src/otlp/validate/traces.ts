// Content checks on a decoded traces request: spans must carry usable ids. A span whose
// trace_id is not 16 bytes or is all zeros, whose span_id is not 8 bytes or is all zeros,
// or whose parent_span_id is neither empty nor 8 bytes is removed and counted. Scopes and
// resources left with no spans by the removal are dropped too. Pure; the input is not
// modified.
import { isZeroId } from '../ids.js';
import type { ExportTraceServiceRequest, Span } from '../model.js';
import { keptNodes, MessageLog, type ValidationResult } from './result.js';

/** Why a span's ids are unusable, or undefined when they are fine. */
export function spanIdProblem(span: Span): string | undefined {
  const t = span.traceId;
  if (t.length !== 16) return `trace_id must be 16 bytes, got ${t.length}`;
  if (isZeroId(t)) return 'trace_id is all zeros';
  const s = span.spanId;
  if (s.length !== 8) return `span_id must be 8 bytes, got ${s.length}`;
  if (isZeroId(s)) return 'span_id is all zeros';
  const p = span.parentSpanId.length;
  if (p !== 0 && p !== 8) return `parent_span_id must be empty or 8 bytes, got ${p}`;
  return undefined;
}

export function validateTracesRequest(req: ExportTraceServiceRequest): ValidationResult<ExportTraceServiceRequest> {
  const log = new MessageLog();
  let rejected = 0;
  const resources = keptNodes(req.resourceSpans, (rs, ri) => {
    const scopes = keptNodes(rs.scopeSpans, (ss, si) => {
      const spans = keptNodes(ss.spans, (span, i) => {
        const problem = spanIdProblem(span);
        if (problem === undefined) return span;
        rejected++;
        log.add(`span ${ri}/${si}/${i}: ${problem}`);
        return undefined;
      });
      return spans === undefined ? ss : spans.length > 0 ? { ...ss, spans } : undefined;
    });
    return scopes === undefined ? rs : scopes.length > 0 ? { ...rs, scopeSpans: scopes } : undefined;
  });
  if (resources === undefined) return { request: req, rejected: 0, messages: [] };
  return { request: { ...req, resourceSpans: resources }, rejected, messages: log.finish() };
}
