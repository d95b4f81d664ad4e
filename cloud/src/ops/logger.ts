import { InputError } from '@suyuan/shared';
import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Structured logs: one JSON object per line with `level` (a name, not pino's number), `time` (ISO
 * 8601), `component`, the process identity (`replica` or `gateway`) and the event's own fields.
 * Lines go to stderr: stdout is kept for the one machine-readable line a process prints when it is
 * listening (scripts and tests read it). Writes are synchronous so the last lines before an exit are
 * not lost; logs are per event (a peer connects), never per message.
 */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export type { Logger };

export function parseLogLevel(value: string): LogLevel {
  const level = logLevels.find((l) => l === value);
  if (!level)
    throw new InputError(
      'config.invalid',
      `log level must be one of ${logLevels.join(', ')}, got '${value}'`,
    );
  return level;
}

export interface LoggerOptions {
  component: string;
  /** Identity fields on every line, e.g. `{ replica: 2 }` or `{ gateway: 'farm-1' }`. */
  identity: Record<string, string | number>;
  level?: LogLevel;
  /** Where lines go; stderr by default (tests pass a stream to read them back). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: options.component, ...options.identity },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Transport events that mean something is wrong with a peer; the rest are routine. */
const warnEvents = new Set(['handshakeFailed', 'tlsFailed', 'oversizedFrame', 'closedForGarbage']);

/** Adapts the replica's `(event, detail)` log hook to a structured logger. */
export function eventLog(logger: Logger): (event: string, detail?: string) => void {
  return (event, detail) => {
    const fields = detail === undefined ? { event } : { event, detail };
    if (warnEvents.has(event)) logger.warn(fields);
    else logger.info(fields);
  };
}
