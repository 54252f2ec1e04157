/** The per-PO settings `submit` and `import` take as options, checked like any other input. */
import { parseWith } from '../workflows/core/parsing';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { PROVIDERS, type Provider } from '../workflows/core/choices';
import { capabilityRefusal } from '../workflows/core/provider';
import { PROVIDER_WORKFLOWS } from '../workflows/providers';
import { BadInput, badFields } from './errors';
import { capabilityIssues } from './purchase-orders';

export interface SettingsOptions {
  provider?: string;
  /** Days after the anchor, or `off`. */
  autoClose?: string;
  autoCloseAfter?: string;
  /** Hours, or `off`. */
  attentionAlert?: string;
  /** `--no-notify-erp` makes it false. */
  notifyErp?: boolean;
  /** Flxpoint: seconds. */
  pollFirst?: string;
  pollMax?: string;
}

/** The option behind each settings path, longest path first, so an issue names what the user typed. */
const OPTION_OF_PATH: Array<[string, string]> = [
  ['autoClose.after', '--auto-close-after'],
  ['autoClose', '--auto-close'],
  ['needsAttentionAlertHours', '--attention-alert'],
  ['poll.firstSeconds', '--poll-first'],
  ['poll.maxSeconds', '--poll-max'],
  ['poll', '--poll-first/--poll-max'],
];

export function settingsFrom(options: SettingsOptions): PoSettingsInput {
  const input: Record<string, unknown> = {};
  if (options.provider !== undefined) input.provider = options.provider;
  const closeRefused = isProvider(options.provider)
    ? capabilityRefusal(PROVIDER_WORKFLOWS[options.provider].capabilities.close)
    : undefined;
  if (
    closeRefused !== undefined &&
    (options.autoClose !== undefined || options.autoCloseAfter !== undefined)
  ) {
    throw new BadInput(`--auto-close, --auto-close-after: not for ${options.provider}: ${closeRefused}`);
  }
  if (options.autoClose === 'off') input.autoClose = false;
  else if (options.autoClose !== undefined || options.autoCloseAfter !== undefined) {
    input.autoClose = {
      ...(options.autoClose === undefined ? {} : { days: wholeOrText(options.autoClose) }),
      ...(options.autoCloseAfter === undefined ? {} : { after: options.autoCloseAfter }),
    };
  }
  if (options.attentionAlert === 'off') input.needsAttentionAlertHours = false;
  else if (options.attentionAlert !== undefined)
    input.needsAttentionAlertHours = wholeOrText(options.attentionAlert);
  if (options.notifyErp === false) input.notifyErp = false;
  if (options.pollFirst !== undefined || options.pollMax !== undefined) {
    input.poll = {
      ...(options.pollFirst === undefined ? {} : { firstSeconds: wholeOrText(options.pollFirst) }),
      ...(options.pollMax === undefined ? {} : { maxSeconds: wholeOrText(options.pollMax) }),
    };
  }
  const parsed = parseWith(PoSettings, input);
  const issues = parsed.ok ? capabilityIssues(parsed.value) : parsed.issues;
  if (issues.length > 0) {
    const option = (path: string) =>
      OPTION_OF_PATH.find(([prefix]) => path.startsWith(prefix))?.[1] ?? `--${path}`;
    throw badFields(
      'bad settings',
      issues.map((issue) => ({ ...issue, path: option(issue.path) })),
    );
  }
  return input as PoSettingsInput;
}

/** A whole number as a number; anything else stays text, so the schema's message names it. */
function wholeOrText(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function isProvider(provider: string | undefined): provider is Provider {
  return (PROVIDERS as readonly (string | undefined)[]).includes(provider);
}
