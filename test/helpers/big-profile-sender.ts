// Run as its own process by tests: builds a large, realistic, valid OTLP profiles request
// (an eBPF-profiler-shaped CPU profile) and posts it over OTLP/HTTP protobuf, so that the
// building and the uploading never share an event loop with the server being measured.
// Usage: node big-profile-sender.js <otlp-http-url> <samples>
// Prints one JSON line: { status, bytes, rejected, message }.
import { decodeProfilesResponse, decodeRpcStatus, encodeProfilesRequest } from '../../src/otlp/index.js';
import { realisticProfilesRequest } from '../../bench/otlp-data.js';

/** The benchmark's request, moved to end now (so a store's age retention keeps it). */
export function bigProfileBody(samples: number): Uint8Array {
  const req = realisticProfilesRequest({ samples, functions: 2_000, locations: 5_000, stacks: 10_000, links: 1_000 });
  const now = BigInt(Date.now()) * 1_000_000n;
  for (const rp of req.resourceProfiles) {
    for (const sp of rp.scopeProfiles) {
      for (const p of sp.profiles) {
        const shift = now - p.durationNano - p.timeUnixNano;
        p.timeUnixNano += shift;
        for (const s of p.samples) s.timestampsUnixNano = s.timestampsUnixNano.map((t) => t + shift);
      }
    }
  }
  return encodeProfilesRequest(req);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [url, samples] = process.argv.slice(2);
  const body = bigProfileBody(Number(samples));
  const res = await fetch(`${url}/v1development/profiles`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const out =
    res.status === 200
      ? {
          status: 200,
          bytes: body.length,
          rejected: Number(decodeProfilesResponse(bytes).partialSuccess?.rejectedProfiles ?? 0),
          message: decodeProfilesResponse(bytes).partialSuccess?.errorMessage ?? '',
        }
      : { status: res.status, bytes: body.length, rejected: -1, message: decodeRpcStatus(bytes).message };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
