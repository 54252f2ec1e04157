/** `poflow submit <po.json>`: one PO, validated before anything connects, started as its workflow. */
import { DEFAULT_PROVIDER } from '../../workflows/core/choices';
import type { PoSettingsInput } from '../../workflows/core/settings';
import { PROVIDER_WORKFLOWS } from '../../workflows/providers';
import { badFields } from '../errors';
import { workflowUiUrl } from '../format';
import { poBodyOf, startPurchaseOrder } from '../purchase-orders';
import { print, readJsonFile, withSession } from '../session';

export async function submit(json: boolean, file: string, settings: PoSettingsInput): Promise<void> {
  const raw = await readJsonFile(file);
  const provider = settings.provider ?? DEFAULT_PROVIDER;
  const parsed = poBodyOf(provider).validate(raw);
  if (!parsed.ok) throw badFields(`${file} is not a valid purchase order for ${provider}`, parsed.issues);
  await withSession(json, async (session) => {
    const started = await startPurchaseOrder(session.client, raw, settings);
    const uiUrl = workflowUiUrl(session.config, started.workflowId);
    const { name } = started;
    print(session, { ...started, uiUrl }, () =>
      [
        started.alreadyStarted
          ? `PO ${name} was already submitted: nothing new started ` +
            `(${PROVIDER_WORKFLOWS[provider].amendment})`
          : `PO ${name} submitted`,
        `  workflow  ${started.workflowId}`,
        ...(uiUrl ? [`  web ui    ${uiUrl}`] : []),
        `  status    poflow status ${name}${settings.provider ? ` --provider ${settings.provider}` : ''}`,
      ].join('\n'),
    );
  });
}
