// The one way the OTLP readers (protobuf and JSON) turn a failure into DecodeError.
import { DecodeError } from '../errors.js';

/**
 * Runs `read` and lets DecodeError through; a RangeError means the input drove the reader
 * past a runtime limit (call stack, array length), which is still bad input from the
 * caller's point of view, so it becomes a DecodeError saying `what` could not be read.
 * Anything else is a bug and passes unchanged.
 */
export function readingInput<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    if (e instanceof RangeError) throw new DecodeError(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
}
