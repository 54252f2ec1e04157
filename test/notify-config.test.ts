/** Notification endpoints from the environment and a file: refused with the variable and the reason. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsFrom } from '../client/settings-options';
import { ConfigError, loadConfig } from '../worker/config';

const SECRET = 'a-shared-secret-of-some-length';
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-notify-'));
function file(content: unknown): string {
  const name = path.join(dir, `notify-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(name, typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

test('none configured: no endpoints, no alert webhook', () => {
  expect(loadConfig({}).notifications).toEqual({ endpoints: [], alertWebhookUrl: undefined });
});

test('URLs from the environment take every type with the shared secret, named by their host', () => {
  const config = loadConfig({
    POFLOW_NOTIFY_URLS:
      'https://erp.example.com/hooks/poflow?token=x, https://erp.example.com/other,http://b.test:81/in',
    POFLOW_NOTIFY_SECRET: SECRET,
    POFLOW_ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/XYZ',
  });
  expect(config.notifications).toEqual({
    endpoints: [
      { url: 'https://erp.example.com/hooks/poflow?token=x', secret: SECRET, label: 'erp.example.com #1' },
      { url: 'https://erp.example.com/other', secret: SECRET, label: 'erp.example.com #2' },
      { url: 'http://b.test:81/in', secret: SECRET, label: 'b.test:81' },
    ],
    alertWebhookUrl: 'https://hooks.slack.com/services/T0/B0/XYZ',
  });
});

test('a file gives each endpoint its own types, secret and name', () => {
  const notifyFile = file({
    endpoints: [
      {
        url: 'https://desk.example.com/in',
        types: ['purchase_order.booked'],
        secret: 'the-desk-own-secret-1',
        name: 'desk',
      },
      { url: 'https://erp.example.com/in' },
    ],
  });
  const config = loadConfig({ POFLOW_NOTIFY_FILE: notifyFile, POFLOW_NOTIFY_SECRET: SECRET });
  expect(config.notifications.endpoints).toEqual([
    {
      url: 'https://desk.example.com/in',
      secret: 'the-desk-own-secret-1',
      types: ['purchase_order.booked'],
      label: 'desk',
    },
    { url: 'https://erp.example.com/in', secret: SECRET, label: 'erp.example.com' },
  ]);
});

test.each([
  [
    { POFLOW_NOTIFY_URLS: 'https://erp.example.com/in' },
    'POFLOW_NOTIFY_SECRET: required when POFLOW_NOTIFY_URLS is set (notifications are signed)',
  ],
  [
    { POFLOW_NOTIFY_URLS: 'erp.example.com/in', POFLOW_NOTIFY_SECRET: SECRET },
    'POFLOW_NOTIFY_URLS: "erp.example.com/in" is not an http(s) URL',
  ],
  [
    { POFLOW_NOTIFY_URLS: 'https://erp.example.com/in', POFLOW_NOTIFY_SECRET: 'short' },
    'POFLOW_NOTIFY_SECRET: must be at least 16 characters',
  ],
  [{ POFLOW_ALERT_WEBHOOK_URL: 'slack' }, 'POFLOW_ALERT_WEBHOOK_URL: is not an http(s) URL'],
  [
    { POFLOW_NOTIFY_FILE: '/nonexistent/notify.json' },
    /^POFLOW_NOTIFY_FILE: can not read \/nonexistent\/notify.json as JSON: ENOENT/,
  ],
  [
    {
      POFLOW_NOTIFY_FILE: file({
        endpoints: [{ url: 'https://a.test/', types: ['purchase_order.shipped'] }],
      }),
    },
    /^POFLOW_NOTIFY_FILE \(.*\): endpoints\.0\.types\.0: Invalid option: expected one of "purchase_order.opened"\|/,
  ],
  [
    { POFLOW_NOTIFY_FILE: file({ endpoints: [{ url: 'https://a.test/' }] }) },
    'POFLOW_NOTIFY_SECRET: required when POFLOW_NOTIFY_FILE endpoints[0] has no secret (notifications are signed)',
  ],
])('%j is refused: %s', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});

describe('per-PO notification settings on the command line', () => {
  test('--attention-alert takes hours or off, --no-notify-erp keeps the PO from the ERP', () => {
    expect(settingsFrom({ attentionAlert: '6', notifyErp: false })).toEqual({ needsAttentionAlertHours: 6, notifyErp: false }); // prettier-ignore
    expect(settingsFrom({ attentionAlert: 'off', notifyErp: true })).toEqual({
      needsAttentionAlertHours: false,
    });
  });

  test('a bad value names the option', () => {
    expect(() => settingsFrom({ attentionAlert: 'soon' })).toThrow(/--attention-alert/);
    expect(() => settingsFrom({ attentionAlert: '0' })).toThrow(/--attention-alert/);
  });

  test('Flxpoint POs take both', () => {
    expect(settingsFrom({ provider: 'flxpoint', attentionAlert: '2', notifyErp: false })).toEqual({
      provider: 'flxpoint',
      needsAttentionAlertHours: 2,
      notifyErp: false,
    });
  });
});
