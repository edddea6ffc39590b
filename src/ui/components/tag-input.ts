// The tag query field with autocomplete: label names first, then (after `key:`) that
// label's values, both from the label API of the current time range and profile type.
import { api } from '../api.js';
import { h } from '../dom.js';
import { ALIASES, complete, termAtCaret, type TermAtCaret } from '../tag-query.js';

export interface TagContext {
  from?: string;
  to?: string;
  type?: string;
}

interface Suggestion {
  insert: string;
  label: string;
  hint: string;
}

export interface TagInput {
  el: HTMLElement;
  input: HTMLInputElement;
  value(): string;
}

export function tagInput(initial: string, ctx: () => TagContext, onSubmit: () => void, testId = 'query'): TagInput {
  const input = h('input', {
    type: 'text',
    class: 'query',
    value: initial,
    placeholder: 'Filter by tags, e.g. service:checkout version:1.4 -host:web-2',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-label': 'Tag query',
    'aria-autocomplete': 'list',
    'data-testid': testId,
  });
  const list = h('ul', { class: 'suggestions', role: 'listbox', hidden: true, 'data-testid': `${testId}-suggestions` });
  let items: Suggestion[] = [];
  let active = -1;
  let term: TermAtCaret | undefined;
  let namesCache: { key: string; names: Promise<string[]> } | undefined;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const names = (): Promise<string[]> => {
    const c = ctx();
    const key = `${c.from}|${c.to}|${c.type}`;
    if (!namesCache || namesCache.key !== key) {
      namesCache = {
        key,
        names: api.labels({ from: c.from, to: c.to, type: c.type }).then(
          (r) => r.names,
          () => [],
        ),
      };
    }
    return namesCache.names;
  };

  /** Hides the list and drops pending lookups, so a late answer cannot reopen it. */
  const close = () => {
    clearTimeout(timer);
    seq++;
    list.hidden = true;
    items = [];
    active = -1;
  };

  const show = (next: Suggestion[]) => {
    items = next;
    active = next.length > 0 ? 0 : -1;
    list.replaceChildren(
      ...next.map((s, i) =>
        h(
          'li',
          {
            role: 'option',
            class: i === active ? 'active' : null,
            'data-value': s.insert,
            onmousedown: (e: Event) => {
              e.preventDefault();
              choose(i);
            },
          },
          h('span', { class: 'sugg-label' }, s.label),
          s.hint ? h('span', { class: 'sugg-hint' }, s.hint) : null,
        ),
      ),
    );
    list.hidden = next.length === 0;
  };

  const highlight = (i: number) => {
    active = i;
    [...list.children].forEach((li, j) => li.classList.toggle('active', j === i));
  };

  const choose = (i: number) => {
    const s = items[i];
    if (!s || !term) return;
    const r = complete(input.value, term, s.insert);
    input.value = r.text;
    input.setSelectionRange(r.caret, r.caret);
    close();
    // After a key, go straight on to its values.
    if (term.mode === 'key') void refresh();
  };

  const refresh = async () => {
    const my = ++seq;
    const caret = input.selectionStart ?? input.value.length;
    const t = termAtCaret(input.value, caret);
    term = t;
    const c = ctx();
    let next: Suggestion[] = [];
    if (t.mode === 'key') {
      const all = await names();
      const p = t.prefix.toLowerCase();
      const aliasOf = new Map(
        Object.entries(ALIASES)
          .filter(([, full]) => all.includes(full))
          .map(([a, full]) => [full, a]),
      );
      next = all
        .filter((n) => n.toLowerCase().includes(p) || (aliasOf.get(n) ?? '').startsWith(p))
        .slice(0, 15)
        .map((n) => ({ insert: aliasOf.get(n) ?? n, label: aliasOf.get(n) ?? n, hint: aliasOf.has(n) ? n : '' }));
    } else {
      try {
        const r = await api.labelValues(t.key, { from: c.from, to: c.to, type: c.type, prefix: t.prefix, limit: 15 });
        next = r.values.map((v) => ({ insert: v.value, label: v.value, hint: `${v.profiles} profile${v.profiles === 1 ? '' : 's'}` }));
      } catch {
        next = [];
      }
    }
    if (my !== seq || document.activeElement !== input) return;
    show(next);
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 120);
  };

  input.addEventListener('input', schedule);
  input.addEventListener('focus', schedule);
  input.addEventListener('click', schedule);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && items.length > 0;
    if (e.key === 'ArrowDown' && open) {
      e.preventDefault();
      highlight((active + 1) % items.length);
    } else if (e.key === 'ArrowUp' && open) {
      e.preventDefault();
      highlight((active - 1 + items.length) % items.length);
    } else if ((e.key === 'Enter' || e.key === 'Tab') && open && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape') {
      close();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      close();
      onSubmit();
    }
  });

  return { el: h('span', { class: 'tag-input' }, input, list), input, value: () => input.value.trim() };
}
