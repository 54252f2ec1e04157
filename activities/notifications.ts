/**
 * Delivery of a PO's notifications: the signed JSON event to every ERP endpoint that wants its
 * type, and an alert to the log and to the chat webhook. One activity per notification; the
 * endpoints that answered 2xx ride in its heartbeat details (and in its failure, for the
 * workflow's next round), so a retry sends only to those that have not taken it yet.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import got from 'got';
import type { Logger } from 'pino';
import type { Alert } from '../workflows/core/notifications';
import type { Notification } from '../workflows/core/notification-outbox';
import type { NotificationType } from '../workflows/core/notifications';
import { alertsRaised } from '../infra/metrics';
import { SIGNATURE_HEADER, signNotification } from './notification-signature';

export interface NotifyEndpoint {
  url: string;
  secret: string;
  /** The event types it wants; every type when unset. */
  types?: NotificationType[];
  /** How it is named in the PO's state and in logs: its host, or the name the configuration gives. */
  label: string;
}

export interface NotifyDeliveryConfig {
  endpoints: NotifyEndpoint[];
  /** A Slack-compatible incoming webhook for alerts to people. */
  alertWebhookUrl?: string;
  /**
   * Where an alert's link points: `<uiUrl>/namespaces/<namespace>/workflows/<workflow id>`; no link when
   * unset.
   */
  uiUrl?: string;
  namespace: string;
}

/** Where late / overdue / stuck alerts go besides the chat webhook (the log line, a test's recorder). */
export interface AlertSink {
  raise(alert: Alert): Promise<void> | void;
}

/** The default sink: one warning per alert in poflow's log, for the log pipeline. */
export function loggedAlerts(logger: Logger): AlertSink {
  return { raise: (alert) => logger.warn(alert, 'purchase order alert') };
}

export const NO_NOTIFICATIONS: NotifyDeliveryConfig = { endpoints: [], namespace: 'default' };

/** One endpoint's answer to one request; it never throws. */
type Outcome = { ok: true } | { ok: false; why: string };

const REQUEST_TIMEOUT_MS = 10_000;
/** The `answered` entries of the two alert targets. */
const ALERT_LOG = 'alert log';
const ALERT_WEBHOOK = 'alert webhook';

export function createNotificationActivities(deps: { notify: NotifyDeliveryConfig; alerts: AlertSink }) {
  const { notify, alerts } = deps;
  const raise = async (alert: Alert) => {
    await alerts.raise(alert);
    alertsRaised.inc({ kind: alert.kind });
  };
  return {
    async raiseAlert(alert: Alert): Promise<void> {
      await raise(alert);
    },

    async deliverNotification(notification: Notification): Promise<{ answered: string[] }> {
      const context = Context.current();
      const previous = (context.info.heartbeatDetails as { answered?: string[] } | undefined)?.answered ?? [];
      const answered = new Set([...notification.answered, ...previous]);
      const failures: string[] = [];
      const attempt = async (label: string, send: () => Promise<Outcome>) => {
        if (answered.has(label)) return;
        const outcome = await send();
        if (!outcome.ok) return void failures.push(`${label}: ${outcome.why}`);
        answered.add(label);
        context.heartbeat({ answered: [...answered] });
      };
      const { alert, event } = notification;
      if (alert) {
        await attempt(ALERT_LOG, async () => {
          await raise(alert);
          return { ok: true };
        });
        const webhook = notify.alertWebhookUrl;
        if (webhook)
          await attempt(ALERT_WEBHOOK, () =>
            post(webhook, JSON.stringify(chatMessage(notification, alert, notify)), {}),
          );
      }
      if (event) {
        const body = JSON.stringify(notificationBody(notification));
        for (const endpoint of notify.endpoints) {
          if (endpoint.types && !endpoint.types.includes(event.type)) continue;
          await attempt(endpoint.label, () => {
            const signature = signNotification(body, endpoint.secret, Math.floor(Date.now() / 1000));
            return post(endpoint.url, body, { [SIGNATURE_HEADER]: signature });
          });
        }
      }
      if (failures.length > 0) {
        // Names and statuses only: the body may carry commercial data, a URL's path a token.
        log.warn('notification not delivered yet', { id: notification.id, failures });
        throw ApplicationFailure.create({
          type: 'NotificationNotDelivered',
          message: failures.join('; '),
          details: [{ answered: [...answered] }],
        });
      }
      return { answered: [...answered] };
    },
  };
}

/** The body an ERP endpoint receives (docs/operators.md, "Notifications to the ERP"). */
export function notificationBody(notification: Notification) {
  const { purchaseOrder: po, event } = notification;
  return {
    id: notification.id,
    type: event!.type,
    occurred_at: event!.occurredAt,
    purchase_order: {
      name: po.name,
      provider: po.provider,
      workflow_id: po.workflowId,
      provider_id: po.providerId ?? null,
      status: po.status,
    },
    data: event!.data,
  };
}

const ALERT_TITLES: Record<Alert['kind'], string> = {
  late: 'late',
  booking_overdue: 'booking overdue',
  needs_attention: 'still needs attention',
};

/** Slack's incoming-webhook message (`text` with mrkdwn), which Mattermost and others accept too. */
export function chatMessage(notification: Notification, alert: Alert, notify: NotifyDeliveryConfig) {
  const text = `:rotating_light: *PO ${alert.poName}* ${ALERT_TITLES[alert.kind]}: ${alert.message}`;
  if (!notify.uiUrl) return { text };
  const link =
    `${notify.uiUrl}/namespaces/${encodeURIComponent(notify.namespace)}` +
    `/workflows/${encodeURIComponent(notification.purchaseOrder.workflowId)}`;
  return { text: `${text}\n<${link}|Open PO ${alert.poName} in the Temporal Web UI>` };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  try {
    const response = await got.post(url, {
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'poflow', ...headers },
      timeout: { request: REQUEST_TIMEOUT_MS },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
    });
    const status = response.statusCode;
    return status >= 200 && status < 300 ? { ok: true } : { ok: false, why: `answered ${status}` };
  } catch (err) {
    return { ok: false, why: (err as { code?: string }).code ?? 'request failed' };
  }
}
