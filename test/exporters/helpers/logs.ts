// A pino logger whose JSON lines are kept in memory, so tests can look for what was logged.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
  find(pred: (line: Record<string, unknown>) => boolean): Record<string, unknown> | undefined;
}

export function captureLogs(level: pino.Level = 'debug'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim()) lines.push(JSON.parse(text) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level }, stream);
  return { logger, lines, find: (pred) => lines.find(pred) };
}
