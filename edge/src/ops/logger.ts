import { InputError } from '@suyuan/shared';
import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * The gateway's structured logs, in the same format as the replicas' (cloud/src/ops/logger.ts):
 * one JSON object per line on stderr with `level` (name), `time` (ISO 8601), `component`,
 * `gateway` (its name) and the event's fields. Synchronous writes: lines are per event, not per
 * reading, and the last ones before an exit must not be lost. (Edge does not depend on cloud, so
 * these few lines are kept twice rather than moved into shared for one library call.)
 */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export type { Logger };

export function parseLogLevel(value: string): LogLevel {
  const level = logLevels.find((l) => l === value);
  if (!level) {
    throw new InputError(
      'config.invalid',
      `log level must be one of ${logLevels.join(', ')}, got '${value}'`,
    );
  }
  return level;
}

export function createGatewayLogger(options: {
  gateway: string;
  level?: LogLevel;
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: 'gateway', gateway: options.gateway },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
