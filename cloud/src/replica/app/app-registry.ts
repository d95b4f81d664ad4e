import { InputError } from '@suyuan/shared';
import { createLogApp } from './log-app.ts';
import type { AppFactory } from './replica-app.ts';

export type AppName = 'log' | 'ledger';

/**
 * Applications by config name. The ledger registers its factory here (`registerApp('ledger', ...)`)
 * from its own module; until then choosing it is a clear configuration error.
 */
const factories = new Map<AppName, AppFactory>([['log', (ctx) => createLogApp(ctx.db)]]);

export function registerApp(name: AppName, factory: AppFactory): void {
  factories.set(name, factory);
}

export function appFactory(name: AppName): AppFactory {
  const factory = factories.get(name);
  if (!factory) throw new InputError('config.invalid', `app '${name}' is not available in this build`);
  return factory;
}
