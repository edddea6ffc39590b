// Errors of a bad query. Every one is the caller's mistake (the API answers 400), so they
// share the stable code ERR_QUERY; `reason` says which part of the query was wrong.
import { BridgeError } from '../../errors.js';

export type QueryErrorReason = 'syntax' | 'time_range' | 'profile_type' | 'id' | 'param';

export class QueryError extends BridgeError {
  readonly reason: QueryErrorReason;
  constructor(reason: QueryErrorReason, message: string) {
    super('ERR_QUERY', message);
    this.reason = reason;
  }
}

export function isQueryError(e: unknown): e is QueryError {
  return e instanceof QueryError;
}
