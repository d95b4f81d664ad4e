import type { Hono } from 'hono';
import { deviceStatuses, syncStatus } from './gateway-status.ts';
import { formatTime } from './i18n.ts';
import { Page } from './layout.tsx';
import type { UiContext, UiEnv } from './ui-env.ts';

/** GET / — devices with their latest readings, and the sync backlog. */
export function statusRoutes(app: Hono<UiEnv>, ui: UiContext): void {
  app.get('/', (c) => {
    const { lang, t } = c.var;
    const sync = syncStatus(ui.deps.db, ui.deps.outbox);
    const devices = deviceStatuses(ui.deps.db);
    return c.html(
      <Page lang={lang} t={t} title={t.home} path="/">
        <h2>{t.sync}</h2>
        <dl class="card">
          <dt>{t.backlog}</dt>
          <dd>
            {sync.pendingSubmissions} {t.submissions}
          </dd>
          <dt>{t.deadLetters}</dt>
          <dd style={sync.deadLetters > 0 ? 'color:#b3261e' : undefined}>{sync.deadLetters}</dd>
          <dt>{t.lastCommit}</dt>
          <dd>{sync.lastCommitMs === null ? t.never : `${formatTime(sync.lastCommitMs)} UTC`}</dd>
        </dl>
        <h2>{t.devices}</h2>
        {devices.length === 0 && <p class="muted">{t.noDevices}</p>}
        {devices.map((d) => (
          <section class="card" aria-label={d.deviceId}>
            <strong>{d.deviceId}</strong>
            <p class="muted">
              {t.lastSeen}: {formatTime(d.lastSeenMs)} UTC
            </p>
            <dl>
              {d.latest.map((r) => (
                <>
                  <dt>{r.type}</dt>
                  <dd>
                    {r.value} {r.uom}
                  </dd>
                </>
              ))}
            </dl>
          </section>
        ))}
      </Page>,
    );
  });
}
