/** `poflow submit <po.json>`: one PO, validated before anything connects, started as its workflow. */
import type { PoSettingsInput } from '../../workflows/purchase-order';
import { badFields } from '../errors';
import { workflowUiUrl } from '../format';
import { validateForStartToday } from '../import-file';
import { startPurchaseOrder } from '../purchase-orders';
import { print, readJsonFile, withSession } from '../session';

export async function submit(json: boolean, file: string, settings: PoSettingsInput): Promise<void> {
  const raw = await readJsonFile(file);
  const parsed = validateForStartToday(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid purchase order`, parsed.issues);
  const name = parsed.value.name;
  await withSession(json, async (session) => {
    const started = await startPurchaseOrder(session.client, raw, settings);
    const uiUrl = workflowUiUrl(session.config, started.workflowId);
    print(session, { name, ...started, uiUrl }, () =>
      [
        started.alreadyStarted
          ? `PO ${name} was already submitted: nothing new started (amend it to change it)`
          : `PO ${name} submitted`,
        `  workflow  ${started.workflowId}`,
        `  web ui    ${uiUrl}`,
        `  status    poflow status ${name}${settings.provider ? ` --provider ${settings.provider}` : ''}`,
      ].join('\n'),
    );
  });
}
