// Time range picker: presets ("last 1 hour") plus free `from`/`to` fields that take what the
// API takes — RFC 3339, unix milliseconds, or `now-15m`.
import { h } from '../dom.js';

export const PRESETS: { label: string; from: string }[] = [
  { label: 'Last 5 minutes', from: 'now-5m' },
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 7 days', from: 'now-7d' },
  { label: 'Last 30 days', from: 'now-30d' },
];

export const DEFAULT_FROM = 'now-1h';
export const DEFAULT_TO = 'now';

export interface TimeRangeValue {
  from: string;
  to: string;
}

export interface TimeRangeControl {
  el: HTMLElement;
  value(): TimeRangeValue;
}

export function timeRange(initial: Partial<TimeRangeValue>, onChange: () => void, idPrefix = ''): TimeRangeControl {
  const from = h('input', {
    type: 'text',
    class: 'time',
    value: initial.from || DEFAULT_FROM,
    'aria-label': 'From',
    'data-testid': `${idPrefix}from`,
    title: 'RFC 3339, unix ms, or now-15m / now-2h / now-7d',
  });
  const to = h('input', { type: 'text', class: 'time', value: initial.to || DEFAULT_TO, 'aria-label': 'To', 'data-testid': `${idPrefix}to` });
  const preset = h(
    'select',
    {
      'aria-label': 'Time range',
      'data-testid': `${idPrefix}range`,
      onchange: () => {
        if (preset.value === 'custom') {
          from.focus();
          return;
        }
        from.value = preset.value;
        to.value = DEFAULT_TO;
        onChange();
      },
    },
    ...PRESETS.map((p) => h('option', { value: p.from }, p.label)),
    h('option', { value: 'custom' }, 'Custom…'),
  );
  const sync = () => {
    preset.value = to.value.trim() === 'now' && PRESETS.some((p) => p.from === from.value.trim()) ? from.value.trim() : 'custom';
  };
  sync();
  for (const input of [from, to]) {
    input.addEventListener('change', sync);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        sync();
        onChange();
      }
    });
  }
  return {
    el: h('span', { class: 'time-range' }, preset, from, h('span', { class: 'muted' }, '→'), to),
    value: () => ({ from: from.value.trim() || DEFAULT_FROM, to: to.value.trim() || DEFAULT_TO }),
  };
}
