// Runs the reference pprof reader, `go tool pprof`, on files the bridge wrote. Go comes from
// Debian's golang-go (scripts/ensure-tools.mjs installs it before the suite). HOME, GOCACHE
// and GOPATH point at a private temp dir so the tool neither needs nor touches a real home.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let home: string | undefined;

function goHome(): string {
  home ??= mkdtempSync(join(tmpdir(), 'opb-go-home-'));
  return home;
}

export interface GoPprofOptions {
  /** Milliseconds before the run is killed (default 60 s). */
  timeoutMs?: number;
}

/**
 * `go tool pprof <args>`, e.g. `goPprof(['-raw', file])`, `['-top', file]`,
 * `['-tags', file]`. Returns stdout; throws with stderr when the tool fails (a file it
 * cannot read fails the test). `-symbolize=none` is added unless given: the tests check what
 * the file holds, not what local binaries would add.
 */
export function goPprof(args: string[], options: GoPprofOptions = {}): string {
  const h = goHome();
  const full = args.some((a) => a.startsWith('-symbolize')) ? args : ['-symbolize=none', ...args];
  const r = spawnSync('go', ['tool', 'pprof', ...full], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      HOME: h,
      GOCACHE: join(h, 'cache'),
      GOPATH: join(h, 'gopath'),
      PPROF_TMPDIR: join(h, 'pprof'),
      GOFLAGS: '',
      GOTOOLCHAIN: 'local',
    },
  });
  if (r.error) throw new Error(`go tool pprof ${full.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go tool pprof ${full.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** One sample as `go tool pprof -raw` prints it. */
export interface RawSample {
  values: number[];
  /** Location ids, leaf first. */
  locationIds: number[];
  /** Labels as printed: `key -> values` (string labels) and numeric ones with their unit. */
  labels: Record<string, string[]>;
}

export interface RawLocation {
  id: number;
  address: string;
  /** `function file:line` for each line, innermost first. */
  frames: { function: string; file: string; line: number }[];
}

export interface RawProfile {
  sampleTypes: string[];
  samples: RawSample[];
  locations: Map<number, RawLocation>;
  /** Mapping lines as printed, e.g. `1: 0x400000/0x500000/0x0 /usr/bin/app abcdef [FN]`. */
  mappings: string[];
}

/**
 * Parses the text of `go tool pprof -raw` (the Go `profile.String()` form): the sample
 * section, locations and mappings. Label values are split on spaces inside `[...]` only
 * when the printed list has several values, so keep label values free of spaces when a test
 * needs several values per key.
 */
export function parseRaw(text: string): RawProfile {
  const lines = text.split('\n');
  const out: RawProfile = { sampleTypes: [], samples: [], locations: new Map(), mappings: [] };
  let section = '';
  let current: RawSample | undefined;
  let loc: RawLocation | undefined;
  for (const line of lines) {
    if (line === 'Samples:') {
      section = 'types';
      continue;
    }
    if (line === 'Locations') {
      section = 'locations';
      continue;
    }
    if (line === 'Mappings') {
      section = 'mappings';
      continue;
    }
    if (section === 'types') {
      out.sampleTypes = line.trim().split(/\s+/);
      section = 'samples';
      continue;
    }
    if (section === 'samples') {
      const m = /^\s+(-?\d+(?:\s+-?\d+)*):((?:\s+\d+)*)\s*$/.exec(line);
      if (m) {
        current = {
          values: m[1]!.trim().split(/\s+/).map(Number),
          locationIds: m[2]!.trim() === '' ? [] : m[2]!.trim().split(/\s+/).map(Number),
          labels: {},
        };
        out.samples.push(current);
        continue;
      }
      if (current && line.trim() !== '') {
        // `key:[v1 v2] other key:[v]`: keys may hold spaces, values are inside brackets.
        for (const lm of line.matchAll(/\s*([^:[\]]+?):\[([^\]]*)\]/g)) {
          current.labels[lm[1]!.trim()] = [lm[2]!];
        }
      }
      continue;
    }
    if (section === 'locations') {
      const m = /^\s+(\d+): (0x[0-9a-f]+) (?:M=\d+ )?(.*)$/.exec(line);
      if (m) {
        loc = { id: Number(m[1]), address: m[2]!, frames: [] };
        out.locations.set(loc.id, loc);
        addFrame(loc, m[3]!);
      } else if (loc && line.trim() !== '') addFrame(loc, line.trim());
      continue;
    }
    if (section === 'mappings' && line.trim() !== '') out.mappings.push(line.trim());
  }
  return out;
}

function addFrame(loc: RawLocation, text: string): void {
  // `name file:line s=start(system)` (newer Go: `file:line:column`); an empty location
  // prints nothing after the address.
  const m = /^(.*?) (\S*?):(-?\d+)(?::-?\d+)? s=\d+/.exec(text);
  if (m) loc.frames.push({ function: m[1]!, file: m[2]!, line: Number(m[3]) });
}

/** The frames of a sample, leaf first, as `function file:line` strings. */
export function rawStack(p: RawProfile, s: RawSample): string[] {
  const out: string[] = [];
  for (const id of s.locationIds) for (const f of p.locations.get(id)?.frames ?? []) out.push(`${f.function} ${f.file}:${f.line}`);
  return out;
}
