/**
 * Receivers for the notification suites: the sandbox's inboxes (`/_sandbox/inbox/<name>`), which
 * check each delivery's signature and record what came, and a harness whose workers post to them.
 */
import { startHarness, type Harness } from './po-harness';
import { timeSkippingEnv } from './temporal';

export const ERP_SECRET = 'erp-shared-secret-0123456789';
export const DESK_SECRET = `${ERP_SECRET}-desk`;
export const UI_URL = 'http://ui.test:8233';

export interface ReceivedEvent {
  id: string;
  type: string;
  occurred_at: string;
  purchase_order: { name: string; provider: string; workflow_id: string; provider_id: number | null; status: string }; // prettier-ignore
  data: Record<string, unknown>;
}

export interface InboxView {
  deliveries: { status: number; reason?: string; duplicate?: boolean }[];
  /** Deduplicated, in the order first received. */
  received: ReceivedEvent[];
  refused: number;
}

/**
 * A harness on its own time-skipping server with three receivers: the ERP (every type), a
 * bookings desk (two types, its own secret) and the chat tool for alerts.
 */
export async function startNotifyingHarness(): Promise<Harness> {
  const harness = await startHarness(await timeSkippingEnv(), {}, {
    notify: (url) => ({
      endpoints: [
        { url: `${url}/_sandbox/inbox/erp`, secret: ERP_SECRET, label: 'erp' },
        { url: `${url}/_sandbox/inbox/desk`, secret: DESK_SECRET, types: ['purchase_order.booked', 'purchase_order.closed'], label: 'desk' }, // prettier-ignore
      ],
      alertWebhookUrl: `${url}/_sandbox/inbox/chat`,
      uiUrl: UI_URL,
      namespace: 'default',
    }),
  }); // prettier-ignore
  await harness.admin('PUT', '/inbox/erp', { secret: ERP_SECRET });
  await harness.admin('PUT', '/inbox/desk', { secret: DESK_SECRET });
  await harness.admin('PUT', '/inbox/chat', {});
  return harness;
}

export function inbox(harness: Harness, name: string): Promise<InboxView> {
  return harness.admin('GET', `/inbox/${name}`);
}
