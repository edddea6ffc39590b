// The web UI of the embedded profiler: a single page with hash routes, one view per page.
import './styles.css';
import './auth.js';
import { api, type ProfileType } from './api.js';
import { errorBox, loading, onboarding } from './components/empty-state.js';
import { h, replace } from './dom.js';
import { disposePage, pageSignal } from './lifecycle.js';
import { currentRoute, href, sharedParams, type PageName } from './router.js';
import { renderCompare } from './pages/compare.js';
import { isAbort, type PageContext } from './pages/context.js';
import { renderFlame } from './pages/flame.js';
import { renderHotspots } from './pages/hotspots.js';
import { renderMetrics } from './pages/metrics.js';
import { renderSearch } from './pages/search.js';

const TITLES: Record<PageName, string> = {
  search: 'Search',
  flame: 'Flame graph',
  hotspots: 'Code hotspots',
  compare: 'Compare',
  metrics: 'Metrics',
};

const RENDER: Record<PageName, (ctx: PageContext) => Promise<void>> = {
  search: renderSearch,
  flame: renderFlame,
  hotspots: renderHotspots,
  compare: renderCompare,
  metrics: renderMetrics,
};

const nav = h('nav', { class: 'nav' });
const main = h('main', { id: 'main' });

function drawNav(page: PageName, params: URLSearchParams): void {
  const keep = sharedParams(params);
  replace(
    nav,
    ...(Object.keys(TITLES) as PageName[]).map((p) =>
      h(
        'a',
        {
          href: href(p, p === 'compare' || p === 'hotspots' ? { type: keep.type } : keep),
          class: p === page ? 'active' : null,
          'data-page': p,
          'aria-current': p === page ? 'page' : null,
        },
        TITLES[p],
      ),
    ),
  );
}

let renderSeq = 0;

async function render(): Promise<void> {
  disposePage();
  const seq = ++renderSeq;
  const { page, params } = currentRoute();
  document.title = `${TITLES[page]} · otel-profile-bridge`;
  drawNav(page, params);
  replace(main, loading());
  const signal = pageSignal();
  let types: ProfileType[];
  try {
    types = (await api.profileTypes({}, signal)).types;
  } catch (e) {
    if (!isAbort(e) && seq === renderSeq) replace(main, errorBox(e));
    return;
  }
  if (seq !== renderSeq) return;
  if (types.length === 0 && page !== 'metrics') {
    replace(main, onboarding());
    main.dataset.ready = page;
    return;
  }
  const root = h('div', { class: `page page-${page}` });
  replace(main, root, types.length === 0 ? onboarding() : null);
  await RENDER[page]({ page, params, types, root, signal });
  if (seq === renderSeq) main.dataset.ready = page;
}

function start(): void {
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/search' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '▤'), 'otel-profile-bridge'),
    nav,
  );
  document.body.replaceChildren(header, main);
  window.addEventListener('hashchange', () => {
    delete main.dataset.ready;
    void render();
  });
  void render();
}

start();
