/** The per-PO settings `submit` and `import` take as options, checked like any other input. */
import { parseWith } from '../workflows/core/parsing';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { BadInput, badFields } from './errors';

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
  if (
    options.provider === 'flxpoint' &&
    (options.autoClose !== undefined || options.autoCloseAfter !== undefined)
  ) {
    throw new BadInput(
      '--auto-close, --auto-close-after: Flexport only; a Flxpoint PO is never closed, it ends cancelled or voided',
    );
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
  if (!parsed.ok) {
    const option = (path: string) =>
      OPTION_OF_PATH.find(([prefix]) => path.startsWith(prefix))?.[1] ?? `--${path}`;
    throw badFields(
      'bad settings',
      parsed.issues.map((issue) => ({ ...issue, path: option(issue.path) })),
    );
  }
  return input as PoSettingsInput;
}

/** A whole number as a number; anything else stays text, so the schema's message names it. */
function wholeOrText(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}
