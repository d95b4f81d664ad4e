import { describe, expect, it } from 'vitest';
import { createLogger, eventLog, parseLogLevel } from './logger.ts';

describe('structured logger', () => {
  it('writes one JSON object per line with level name, ISO time, component, identity and fields', () => {
    const lines: string[] = [];
    const logger = createLogger({
      component: 'replica',
      identity: { replica: 2 },
      level: 'info',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const log = eventLog(logger);
    log('connected', '1');
    log('tlsFailed', 'unknown ca');
    logger.debug({ event: 'hidden' });
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({
      level: 'info',
      component: 'replica',
      replica: 2,
      event: 'connected',
      detail: '1',
    });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(second).toMatchObject({ level: 'warn', event: 'tlsFailed' });
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  });

  it('refuses an unknown level with a clear message', () => {
    expect(parseLogLevel('debug')).toBe('debug');
    expect(() => parseLogLevel('verbose')).toThrow(/log level must be one of fatal, error, warn/);
  });
});
