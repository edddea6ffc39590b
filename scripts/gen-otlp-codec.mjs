#!/usr/bin/env node
// Generates the per-message OTLP codec in src/generated/otlp/ from the schemas in proto/:
// protobuf decoders and encoders (on src/protobuf/reader.ts and writer.ts) and the OTLP/JSON
// readers and writers (on src/otlp/json/scalars.ts and context.ts), one function per message.
//
//   node scripts/gen-otlp-codec.mjs            write the files (npm run gen:codec)
//   node scripts/gen-otlp-codec.mjs --check    exit 1 naming each file that differs from
//                                              what this script writes now (the staleness test)
//   --dir DIR                                  read/write DIR instead of src/generated/otlp
//
// The code is written out, not interpreted from tables at run time, because the hand-tuned
// shape (a switch on the whole tag, object literals of the final shape, packed runs read into
// exact-length arrays) is what makes the codec fast; see bench/decode.bench.ts. What the
// schema does not say is in MODEL below: how the model (src/otlp/model.ts) holds 64-bit
// integers and ids. Anything the generator does not know how to write stops it with an error.
import protobuf from 'protobufjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const protoDir = join(root, 'proto');

/** The messages the codec serves; everything they reach is generated too. */
const ROOTS = [
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  'opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest',
  'opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse',
  'google.rpc.Status',
];

const MODEL = {
  /** int64 fields the model holds as bigint; every other int64 is a number (exact to 2^53). */
  int64AsBigint: new Set(['opentelemetry.proto.common.v1.AnyValue.int_value']),
  /** bytes fields written in JSON as hex (OTLP/JSON ids) or as a profile id; others are base64. */
  bytesJson: { trace_id: 'hex', span_id: 'hex', parent_span_id: 'hex', profile_id: 'profileId' },
  /** Model type names that are not the message name (nested names are joined: Span.Event -> SpanEvent). */
  typeNames: { 'google.rpc.Status': 'RpcStatus' },
  /** Messages whose JSON form is hand-written (google.rpc.Status: details are Any messages). */
  handWrittenJson: new Set(['google.rpc.Status']),
};

// ------------------------------------------------------------------ schema

function loadSchema() {
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => join(protoDir, target);
  r.loadSync(
    [
      'opentelemetry/proto/collector/trace/v1/trace_service.proto',
      'opentelemetry/proto/collector/profiles/v1development/profiles_service.proto',
      'google/rpc/status.proto',
    ],
    { keepCase: true },
  );
  r.resolveAll();
  return r;
}

const fullName = (t) => t.fullName.replace(/^\./, '');

function pkgOf(t) {
  let p = t.parent;
  while (p && p instanceof protobuf.Type) p = p.parent;
  return p ? fullName(p) : '';
}

/** The name errors use: relative to the package for OTLP messages, else the full name. */
function errorName(t) {
  const full = fullName(t);
  return full.startsWith('opentelemetry.') ? full.slice(pkgOf(t).length + 1) : full;
}

function typeName(t) {
  const full = fullName(t);
  return MODEL.typeNames[full] ?? full.slice(pkgOf(t).length + 1).replace(/\./g, '');
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** Messages reachable from ROOTS, in depth-first order of first use. */
function messages(schema) {
  const out = [];
  const seen = new Set();
  const visit = (t) => {
    if (seen.has(t)) return;
    seen.add(t);
    out.push(t);
    for (const f of sortedFields(t)) if (f.resolvedType instanceof protobuf.Type) visit(f.resolvedType);
  };
  for (const name of ROOTS) visit(schema.lookupType(name));
  const names = new Set();
  for (const t of out) {
    const n = typeName(t);
    if (names.has(n)) throw new Error(`two messages map to the model type ${n}; add one to MODEL.typeNames`);
    names.add(n);
  }
  return out;
}

const sortedFields = (t) => [...t.fieldsArray].sort((a, b) => a.id - b.id);

/** A message that is one oneof and nothing else (AnyValue): the model holds the one member set. */
function isUnion(t) {
  const oneofs = t.oneofsArray;
  if (oneofs.length === 0) return false;
  if (oneofs.length > 1 || t.fieldsArray.some((f) => !f.partOf)) {
    throw new Error(`${fullName(t)}: only messages that are a single oneof are supported`);
  }
  return true;
}

// ------------------------------------------------------------------ scalars

/**
 * How each scalar kind is read and written. `kind` is the proto type, with int64 split into
 * int64n (number) and int64b (bigint).
 */
const SCALARS = {
  int32: { wt: 0, read: 'r.int32()', write: (v) => `w.int32(${v})`, zero: '0', json: 'readInt32', toJson: null, ts: 'number' },
  uint32: { wt: 0, read: 'r.uint32()', write: (v) => `w.varint32(${v} >>> 0)`, zero: '0', json: 'readUint32', toJson: null, ts: 'number' },
  enum: { wt: 0, read: 'r.int32()', write: (v) => `w.int32(${v})`, zero: '0', json: null, toJson: null, ts: 'number' },
  bool: { wt: 0, read: 'r.bool()', write: (v) => `w.varint32(${v} ? 1 : 0)`, zero: 'false', json: 'readBool', toJson: null, ts: 'boolean' },
  int64n: {
    wt: 0,
    read: 'r.int64Number()',
    write: (v) => `w.int64Number(${v})`,
    zero: '0',
    json: 'readInt64Number',
    toJson: 'int64ToJson',
    ts: 'number',
  },
  int64b: { wt: 0, read: 'r.int64Big()', write: (v) => `w.varintBig(${v})`, zero: '0n', json: 'readInt64Big', toJson: 'bigToJson', ts: 'bigint' },
  uint64: { wt: 0, read: 'r.uint64Big()', write: (v) => `w.varintBig(${v})`, zero: '0n', json: 'readUint64Big', toJson: 'bigToJson', ts: 'bigint' },
  fixed64: {
    wt: 1,
    read: 'r.fixed64Big()',
    write: (v) => `w.fixed64Big(${v})`,
    zero: '0n',
    json: 'readUint64Big',
    toJson: 'bigToJson',
    ts: 'bigint',
  },
  fixed32: { wt: 5, read: 'r.fixed32()', write: (v) => `w.fixed32(${v})`, zero: '0', json: 'readUint32', toJson: null, ts: 'number' },
  double: { wt: 1, read: 'r.double()', write: (v) => `w.double(${v})`, zero: '0', json: 'readDouble', toJson: 'doubleToJson', ts: 'number' },
  string: { wt: 2, read: 'r.string()', write: (v) => `w.string(${v})`, zero: "''", json: 'readString', toJson: null, ts: 'string' },
  bytes: { wt: 2, read: 'r.bytes()', write: (v) => `w.bytes(${v})`, zero: 'EMPTY', json: 'readBase64', toJson: 'base64Of', ts: 'Uint8Array' },
};

/** Packed repeated scalars the reader and writer have runs for: reader method, writer method. */
const PACKED = {
  int32: { read: 'repeatedInt32', write: 'packedInt32' },
  int64n: { read: 'repeatedInt64Number', write: 'packedInt64Number' },
  fixed64: { read: 'repeatedFixed64Big', write: 'packedFixed64Big' },
};

function kindOf(f) {
  if (f.resolvedType instanceof protobuf.Type) return 'message';
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  if (f.type === 'int64') return MODEL.int64AsBigint.has(`${fullName(f.parent)}.${f.name}`) ? 'int64b' : 'int64n';
  if (!SCALARS[f.type]) throw new Error(`${fullName(f.parent)}.${f.name}: unsupported type ${f.type}`);
  return f.type;
}

const tagOf = (f, wt) => (f.id << 3) | wt;

function bytesJson(f) {
  const form = MODEL.bytesJson[f.name] ?? 'base64';
  return {
    read: { hex: 'readHexId', profileId: 'readProfileId', base64: 'readBase64' }[form],
    write: { hex: 'hexOf', profileId: 'profileIdToJson', base64: 'base64Of' }[form],
  };
}

function enumConst(e) {
  return `${e.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_NAMES`;
}

/** Initial value of a field in a fresh message (undefined: the key is left out). */
function initial(f, k, repeatedPlaceholder) {
  if (f.repeated) return repeatedPlaceholder(f, k);
  if (k === 'message') return undefined;
  return SCALARS[k].zero;
}

function literal(t, repeatedPlaceholder) {
  const parts = [];
  for (const f of t.fieldsArray) {
    const v = initial(f, kindOf(f), repeatedPlaceholder);
    if (v !== undefined) parts.push(`${camel(f.name)}: ${v}`);
  }
  return `{ ${parts.join(', ')} }`;
}

const HEADER = (what) => `// GENERATED by scripts/gen-otlp-codec.mjs from proto/ — do not edit; run \`npm run gen:codec\`.\n// ${what}\n`;

// ------------------------------------------------------------------ protobuf decode

function genDecode(list) {
  const out = [
    HEADER('Protobuf decoders, one per message. Conventions: src/otlp/decode.ts.'),
    `import type * as M from '../../otlp/model.js';`,
    `import { NONE, type Reader, locate, messageInfo } from '../../protobuf/reader.js';`,
    '',
    'const EMPTY = new Uint8Array(0);',
    '/** The shared placeholder of a repeated scalar field until its first run (see Reader). */',
    'const NO_NUMBERS = NONE as unknown as number[];',
    'const NO_BIGINTS = NONE as unknown as bigint[];',
    '',
  ];
  for (const t of list) {
    const fields = sortedFields(t).map((f) => `${f.id}: '${f.name}'`);
    out.push(`const ${infoConst(t)} = messageInfo('${errorName(t)}', { ${fields.join(', ')} });`);
  }
  const merged = mergedTypes(list);
  for (const t of list) out.push('', ...decodeFn(t, merged.has(t)));
  return out.join('\n') + '\n';
}

/**
 * Messages that can arrive twice into the same place (singular message fields, oneof
 * members) and so are merged: only their decoders take the earlier value as `into`. The
 * others (repeated elements: samples, spans, key-values) keep a one-argument decoder.
 */
function mergedTypes(list) {
  const out = new Set();
  for (const t of list) {
    for (const f of t.fieldsArray) if (f.resolvedType instanceof protobuf.Type && !f.repeated) out.add(f.resolvedType);
  }
  return out;
}

const infoConst = (t) => `${typeName(t)}_INFO`;

function placeholderWire(f, k) {
  if (PACKED[k]) return SCALARS[k].ts === 'bigint' ? 'NO_BIGINTS' : 'NO_NUMBERS';
  return '[]';
}

function decodeFn(t, merged) {
  const T = typeName(t);
  const union = isUnion(t);
  const lines = [`export function decode${T}(r: Reader${merged ? `, into?: M.${T}` : ''}): M.${T} {`];
  if (union) lines.push(`  let m: M.${T} | undefined${merged ? ' = into' : ''};`);
  else lines.push(`  const m: M.${T} = ${merged ? 'into ?? ' : ''}${literal(t, placeholderWire)};`);
  lines.push('  let tag = 0;', '  try {', '    while (r.pos < r.limit) {', '      tag = r.tag();', '      switch (tag) {');
  const swaps = [];
  for (const f of sortedFields(t)) {
    const k = kindOf(f);
    const name = camel(f.name);
    const at = `m.${name}`;
    if (k === 'message') {
      const sub = typeName(f.resolvedType);
      let body;
      if (union) body = `m = { ${name}: decode${sub}(r, m?.${name}) };`;
      else if (f.repeated) body = `${at}.push(decode${sub}(r));`;
      else body = `${at} = decode${sub}(r, ${at});`;
      lines.push(
        `        case ${tagOf(f, 2)}: {`,
        '          const saved = r.enter();',
        `          ${body}`,
        '          r.leave(saved);',
        '          break;',
        '        }',
      );
      continue;
    }
    const s = SCALARS[k];
    if (f.repeated) {
      if (PACKED[k]) {
        lines.push(
          `        case ${tagOf(f, s.wt)}:`,
          `        case ${tagOf(f, 2)}:`,
          `          ${at} = r.${PACKED[k].read}(tag, ${at});`,
          '          break;',
        );
        swaps.push(`  if (${at} === ${placeholderWire(f, k)}) ${at} = [];`);
      } else if (s.wt === 2) {
        lines.push(`        case ${tagOf(f, 2)}:`, `          ${at}.push(${s.read});`, '          break;');
      } else {
        throw new Error(`${fullName(t)}.${f.name}: repeated ${k} is not supported`);
      }
    } else {
      const assign = union ? `m = { ${name}: ${s.read} };` : `${at} = ${s.read};`;
      lines.push(`        case ${tagOf(f, s.wt)}:`, `          ${assign}`, '          break;');
    }
  }
  lines.push(
    '        default:',
    '          r.skip(tag);',
    '      }',
    '    }',
    '  } catch (e) {',
    `    throw locate(e, ${infoConst(t)}, tag);`,
    '  }',
  );
  lines.push(...swaps);
  lines.push(union ? '  return m ?? {};' : '  return m;', '}');
  return lines;
}

// ------------------------------------------------------------------ protobuf encode

function genEncode(list) {
  const out = [
    HEADER('Protobuf encoders, one per message (the body only; the caller writes tag and length). Conventions: src/otlp/encode.ts.'),
    `import type * as M from '../../otlp/model.js';`,
    `import type { Writer } from '../../protobuf/writer.js';`,
  ];
  for (const t of list) out.push('', ...encodeFn(t));
  return out.join('\n') + '\n';
}

function writeSub(sub, value, tag, indent) {
  return [
    `${indent}w.tag(${tag});`,
    `${indent}{`,
    `${indent}  const s = w.fork();`,
    `${indent}  encode${sub}(w, ${value});`,
    `${indent}  w.join(s);`,
    `${indent}}`,
  ];
}

function encodeFn(t) {
  const T = typeName(t);
  const union = isUnion(t);
  const lines = [`export function encode${T}(w: Writer, m: M.${T}): void {`];
  let first = true;
  for (const f of sortedFields(t)) {
    const k = kindOf(f);
    const name = camel(f.name);
    const at = `m.${name}`;
    if (union) {
      // Exactly one member should be set; if several are, the first in field order is written.
      lines.push(`  ${first ? '' : '} else '}if (${at} !== undefined) {`);
      first = false;
      if (k === 'message') lines.push(...writeSub(typeName(f.resolvedType), at, tagOf(f, 2), '    '));
      else lines.push(`    w.tag(${tagOf(f, SCALARS[k].wt)});`, `    ${SCALARS[k].write(at)};`);
      continue;
    }
    if (k === 'message') {
      const sub = typeName(f.resolvedType);
      if (f.repeated) {
        lines.push(
          `  {`,
          `    const list = ${at};`,
          `    for (let i = 0; i < list.length; i++) {`,
          ...writeSub(sub, 'list[i]!', tagOf(f, 2), '      '),
          '    }',
          '  }',
        );
      } else {
        lines.push(`  if (${at} !== undefined) {`, ...writeSub(sub, at, tagOf(f, 2), '    '), '  }');
      }
      continue;
    }
    const s = SCALARS[k];
    if (f.repeated) {
      if (PACKED[k]) lines.push(`  w.${PACKED[k].write}(${tagOf(f, 2)}, ${at});`);
      else if (s.wt === 2) {
        lines.push(
          `  {`,
          `    const list = ${at};`,
          `    for (let i = 0; i < list.length; i++) {`,
          `      w.tag(${tagOf(f, 2)});`,
          `      ${s.write('list[i]!')};`,
          '    }',
          '  }',
        );
      } else throw new Error(`${fullName(t)}.${f.name}: repeated ${k} is not supported`);
      continue;
    }
    const present = k === 'bytes' ? `${at}.length !== 0` : k === 'bool' ? at : `${at} !== ${s.zero}`;
    lines.push(`  if (${present}) {`, `    w.tag(${tagOf(f, s.wt)});`, `    ${s.write(at)};`, '  }');
  }
  if (union && !first) lines.push('  }');
  lines.push('}');
  return lines;
}

// ------------------------------------------------------------------ JSON read

function jsonReader(f, k) {
  if (k === 'message') return `${lowerFirst(typeName(f.resolvedType))}FromJson`;
  if (k === 'enum') return `read${f.resolvedType.name}`;
  if (k === 'bytes') return bytesJson(f).read;
  return SCALARS[k].json;
}

const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);

function genJsonDecode(list, enums) {
  const scalars = new Set();
  const out = [];
  for (const t of list) out.push('', ...jsonDecodeFn(t, scalars));
  const enumLines = [];
  for (const e of enums) {
    const names = Object.entries(e.values).map(([n, v]) => `${n}: ${v}`);
    enumLines.push(`const ${enumConst(e)}: Record<string, number> = { ${names.join(', ')} };`);
    enumLines.push(`const read${e.name} = (ctx: JsonContext, v: unknown): number => readEnum(ctx, v, ${enumConst(e)});`);
  }
  if (enums.length) scalars.add('readEnum');
  return (
    [
      HEADER('OTLP/JSON readers, one per message. Conventions: src/otlp/json.ts.'),
      `import type * as M from '../../otlp/model.js';`,
      `import type { JsonContext } from '../../otlp/json/context.js';`,
      `import { ${[...scalars].sort().join(', ')} } from '../../otlp/json/scalars.js';`,
      '',
      'const EMPTY = new Uint8Array(0);',
      '/** Stand-in for a repeated field until its key is read; one still in place at the end becomes []. */',
      'const NONE = Object.freeze([]) as unknown as never[];',
      ...enumLines,
      ...out,
    ].join('\n') + '\n'
  );
}

function jsonDecodeFn(t, scalars) {
  const T = typeName(t);
  const union = isUnion(t);
  const lines = [`export function ${lowerFirst(T)}FromJson(ctx: JsonContext, v: unknown): M.${T} {`, '  const o = ctx.object(v);'];
  if (union) lines.push('  ctx.enter();', `  let m: M.${T} | undefined;`, '  let members = 0;');
  else lines.push(`  const m: M.${T} = ${literal(t, () => 'NONE')};`);
  lines.push(
    '  const path = ctx.path;',
    '  for (const k in o) {',
    '    const x = o[k];',
    '    if (x === null || x === undefined) continue;',
    '    path.push(k);',
    '    switch (k) {',
  );
  const swaps = [];
  for (const f of t.fieldsArray) {
    const k = kindOf(f);
    const name = camel(f.name);
    const read = jsonReader(f, k);
    if (k !== 'message' && k !== 'enum') scalars.add(read);
    lines.push(`      case '${name}':`);
    if (f.name !== name) lines.push(`      case '${f.name}':`);
    if (union) lines.push(`        m = { ${name}: ${read}(ctx, x) };`, '        members++;');
    else if (f.repeated) {
      lines.push(`        m.${name} = ctx.list(x, ${read});`);
      swaps.push(`  if (m.${name} === NONE) m.${name} = [];`);
    } else lines.push(`        m.${name} = ${read}(ctx, x);`);
    lines.push('        break;');
  }
  lines.push('    }', '    path.pop();', '  }');
  if (union) {
    lines.push(`  if (members > 1) ctx.fail('an ${T} must have at most one value key');`, '  ctx.leave();', '  return m ?? {};');
  } else lines.push(...swaps, '  return m;');
  lines.push('}');
  return lines;
}

// ------------------------------------------------------------------ JSON write

function genJsonEncode(list) {
  const used = new Set();
  const out = [];
  for (const t of list) out.push('', ...jsonEncodeFn(t, used));
  const fromScalars = [...used].filter((n) => n !== 'bigToJson').sort();
  return (
    [
      HEADER('OTLP/JSON writers, one per message (plain values for JSON.stringify). Conventions: src/otlp/json.ts.'),
      `import type * as M from '../../otlp/model.js';`,
      `import { ${fromScalars.join(', ')} } from '../../otlp/json/scalars.js';`,
      '',
      'type Json = Record<string, unknown>;',
      ...(used.has('bigToJson') ? ['', 'const bigToJson = (v: bigint): string => v.toString();'] : []),
      ...out,
    ].join('\n') + '\n'
  );
}

function jsonWriter(f, k, used) {
  let fn;
  if (k === 'message') fn = `${lowerFirst(typeName(f.resolvedType))}ToJson`;
  else if (k === 'bytes') fn = bytesJson(f).write;
  else fn = SCALARS[k === 'enum' ? 'int32' : k].toJson;
  if (fn && k !== 'message') used.add(fn);
  return fn;
}

function jsonEncodeFn(t, used) {
  const T = typeName(t);
  const union = isUnion(t);
  const lines = [`export function ${lowerFirst(T)}ToJson(m: M.${T}): Json {`];
  if (!union) lines.push('  const o: Json = {};');
  for (const f of sortedFields(t)) {
    const k = kindOf(f);
    const name = camel(f.name);
    const at = `m.${name}`;
    const fn = jsonWriter(f, k, used);
    if (union) {
      lines.push(`  if (${at} !== undefined) return { ${name}: ${fn ? `${fn}(${at})` : at} };`);
      continue;
    }
    if (f.repeated) {
      lines.push(`  if (${at}.length !== 0) o.${name} = ${at}.${fn ? `map(${fn})` : 'slice()'};`);
      continue;
    }
    const present =
      k === 'message'
        ? `${at} !== undefined`
        : k === 'bytes'
          ? `${at}.length !== 0`
          : k === 'bool'
            ? at
            : `${at} !== ${SCALARS[k === 'enum' ? 'int32' : k].zero}`;
    lines.push(`  if (${present}) o.${name} = ${fn ? `${fn}(${at})` : at};`);
  }
  lines.push(union ? '  return {};' : '  return o;', '}');
  return lines;
}

// ------------------------------------------------------------------ main

function enumsOf(list) {
  const out = [];
  for (const t of list) {
    for (const f of t.fieldsArray) {
      if (f.resolvedType instanceof protobuf.Enum && !out.includes(f.resolvedType)) out.push(f.resolvedType);
    }
  }
  return out;
}

export function render() {
  const list = messages(loadSchema());
  const jsonList = list.filter((t) => !MODEL.handWrittenJson.has(fullName(t)));
  return {
    'decode.ts': genDecode(list),
    'encode.ts': genEncode(list),
    'json-decode.ts': genJsonDecode(jsonList, enumsOf(jsonList)),
    'json-encode.ts': genJsonEncode(jsonList),
  };
}

function main(argv) {
  const check = argv.includes('--check');
  const d = argv.indexOf('--dir');
  const dir = d >= 0 ? argv[d + 1] : join(root, 'src', 'generated', 'otlp');
  const files = render();
  if (check) {
    const stale = Object.keys(files).filter((n) => !existsSync(join(dir, n)) || readFileSync(join(dir, n), 'utf8') !== files[n]);
    for (const n of stale)
      console.error(`stale: ${relative(process.cwd(), join(dir, n))} is not what scripts/gen-otlp-codec.mjs writes; run npm run gen:codec`);
    return stale.length === 0 ? 0 : 1;
  }
  mkdirSync(dir, { recursive: true });
  for (const [n, text] of Object.entries(files)) writeFileSync(join(dir, n), text);
  console.error(`wrote ${Object.keys(files).length} files to ${relative(process.cwd(), dir) || '.'}`);
  return 0;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) process.exit(main(process.argv.slice(2)));
