// google.rpc.Status in OTLP/JSON, hand-written because a detail is a google.protobuf.Any:
// in JSON `{"@type": url, ...fields of the message}`, in the model the Any's raw bytes.
// Without each detail's schema only the `{"@type", "value": base64}` form maps both ways.
import type { RpcStatus } from '../model.js';
import { decodeAnyMessage, encodeAnyMessage } from '../wire/any.js';
import type { JsonContext } from './context.js';
import { base64Of, readBase64, readInt32, readString } from './scalars.js';

/** Details in another form than `{"@type", "value"}` are dropped (they are informational only). */
export function rpcStatusFromJson(ctx: JsonContext, v: unknown): RpcStatus {
  const o = ctx.object(v);
  const m: RpcStatus = { code: 0, message: '', details: [] };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    if (k === 'code') m.code = readInt32(ctx, x);
    else if (k === 'message') m.message = readString(ctx, x);
    else if (k === 'details') {
      const list = ctx.array(x);
      for (let i = 0; i < list.length; i++) {
        path.push(i);
        const d = ctx.object(list[i]);
        const url = d['@type'];
        const value = d.value;
        if (typeof url === 'string' && (value === undefined || typeof value === 'string')) {
          path.push('value');
          m.details.push(encodeAnyMessage(url, value === undefined ? new Uint8Array(0) : readBase64(ctx, value)));
          path.pop();
        }
        path.pop();
      }
    }
    path.pop();
  }
  return m;
}

/** Each detail is written as `{"@type": type_url, "value": base64}`; one whose bytes are not an Any is left out. */
export function rpcStatusToJson(m: RpcStatus): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (m.code !== 0) o.code = m.code;
  if (m.message !== '') o.message = m.message;
  const details: Record<string, unknown>[] = [];
  for (const d of m.details) {
    try {
      const any = decodeAnyMessage(d);
      details.push({ '@type': any.typeUrl, value: base64Of(any.value) });
    } catch {
      // not an Any: nothing meaningful to print
    }
  }
  if (details.length !== 0) o.details = details;
  return o;
}
