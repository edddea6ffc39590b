// Human-readable numbers for the units the API reports (`nanoseconds`, `bytes`, `count`).

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function trim(n: number): string {
  const abs = Math.abs(n);
  const s = abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs === 0) return '0 s';
  if (abs < 1e3) return `${trim(ns)} ns`;
  if (abs < 1e6) return `${trim(ns / 1e3)} µs`;
  if (abs < 1e9) return `${trim(ns / 1e6)} ms`;
  if (abs < 60e9) return `${trim(ns / 1e9)} s`;
  if (abs < 3600e9) return `${trim(ns / 60e9)} min`;
  return `${trim(ns / 3600e9)} h`;
}

export function formatBytes(b: number): string {
  let i = 0;
  let v = b;
  while (Math.abs(v) >= 1024 && i < IEC.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trim(v)} ${IEC[i]}`;
}

export function formatCount(n: number): string {
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  return `${trim(v)}${SI[i]}`;
}

/** A value in the API's `unit`. */
export function formatValue(v: number, unit: string): string {
  switch (unit) {
    case 'nanoseconds':
      return formatDuration(v);
    case 'bytes':
      return formatBytes(v);
    default:
      return formatCount(v);
  }
}

/** A signed value (`+1.2 ms`, `−300 B`), for deltas. */
export function formatSigned(v: number, unit: string): string {
  if (v === 0) return '0';
  return `${v > 0 ? '+' : '−'}${formatValue(Math.abs(v), unit)}`;
}

export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '–';
  const p = (100 * part) / whole;
  return `${p >= 10 || p === 0 ? p.toFixed(1) : p.toFixed(2)}%`;
}

/** A share difference (a fraction, e.g. 0.05) as signed percentage points. */
export function formatPoints(fraction: number): string {
  const p = fraction * 100;
  if (Math.abs(p) < 0.005) return '0 pts';
  return `${p > 0 ? '+' : '−'}${Math.abs(p).toFixed(2)} pts`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatMs(ms: number): string {
  return formatDuration(ms * 1e6);
}

/** `file:line`, `file`, or '' — how a frame's source location is shown. */
export function location(file: string, line: number): string {
  if (!file) return '';
  return line > 0 ? `${file}:${line}` : file;
}

/** Label of a value axis: CPU/wall time per second becomes "cores", other units stay. */
export function rateUnitLabel(unit: string): string {
  return unit === 'nanoseconds' ? 'cores' : unit === 'bytes' ? 'bytes/s' : `${unit}/s`;
}

/**
 * How a total was combined, in words: "average of 97 snapshots" for instantaneous types
 * (in-use heap), "sum of 12 profiles" for the others.
 */
export function aggregationText(r: { aggregation: 'sum' | 'average'; snapshots: number }): string {
  return r.aggregation === 'average'
    ? `average of ${r.snapshots} snapshot${r.snapshots === 1 ? '' : 's'}`
    : `sum of ${r.snapshots} profile${r.snapshots === 1 ? '' : 's'}`;
}
