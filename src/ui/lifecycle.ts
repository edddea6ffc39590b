// Cleanup for the page on screen: listeners, observers and pending requests registered
// here are released when the router renders the next page.
let disposers: (() => void)[] = [];
let controller = new AbortController();

export function onDispose(fn: () => void): void {
  disposers.push(fn);
}

/** Aborted when the page is left, so late answers never paint over the next page. */
export function pageSignal(): AbortSignal {
  return controller.signal;
}

export function disposePage(): void {
  controller.abort();
  controller = new AbortController();
  const list = disposers;
  disposers = [];
  for (const fn of list) {
    try {
      fn();
    } catch {
      // A failing cleanup must not stop the others.
    }
  }
}
