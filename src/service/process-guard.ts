// The last line of defence of `serve`: an error that escapes every handler (an uncaught
// exception or an unhandled promise rejection) is logged and counted instead of ending the
// process. Ending it would lose what the receivers, the join and the in-memory queues hold,
// for one bad request or one bug in one code path. The servers answer their own errors
// (see src/http/guard.ts), so this counter should stay at 0; a rise is a bug to report.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { errorMessage } from '../errors.js';
import { sharedCounter } from '../component/metrics.js';

export const UNCAUGHT_ERRORS_METRIC = 'otel_profile_bridge_uncaught_errors_total';

export type UncaughtKind = 'uncaught_exception' | 'unhandled_rejection';

/** Installs the guard on `proc` (the process); returns a function that removes it again. */
export function installProcessGuard(logger: Logger, registry: Registry, proc: NodeJS.Process = process): () => void {
  const counter = sharedCounter(
    registry,
    UNCAUGHT_ERRORS_METRIC,
    'Errors that escaped every handler and were caught by the process guard instead of ending the process, by kind',
    ['kind'],
  );
  counter.inc({ kind: 'uncaught_exception' }, 0);
  counter.inc({ kind: 'unhandled_rejection' }, 0);
  const record = (kind: UncaughtKind, e: unknown) => {
    counter.inc({ kind });
    logger.error(
      { err: errorMessage(e), stack: e instanceof Error ? e.stack : undefined, kind },
      'error escaped every handler; the bridge keeps running',
    );
  };
  const onException = (e: unknown) => record('uncaught_exception', e);
  const onRejection = (e: unknown) => record('unhandled_rejection', e);
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}
