/** The per-PO settings `submit` and `import` take as options, checked like any other input. */
import { AUTO_CLOSE_ANCHORS, parseWith, PoSettings, type PoSettingsInput } from '../workflows/purchase-order';
import { badFields } from './errors';

export interface SettingsOptions {
  provider?: string;
  /** Days after the anchor, or `off`. */
  autoClose?: string;
  autoCloseAfter?: string;
}

export const AUTO_CLOSE_HELP = `close the PO this many days after --auto-close-after, or "off" (default 30)`;
export const AUTO_CLOSE_AFTER_HELP = `what auto-close counts from: ${AUTO_CLOSE_ANCHORS.join(' or ')} (default delivered_in_full)`;

export function settingsFrom(options: SettingsOptions): PoSettingsInput {
  const input: Record<string, unknown> = {};
  if (options.provider !== undefined) input.provider = options.provider;
  if (options.autoClose === 'off') input.autoClose = false;
  else if (options.autoClose !== undefined || options.autoCloseAfter !== undefined) {
    input.autoClose = {
      ...(options.autoClose === undefined ? {} : { days: /^\d+$/.test(options.autoClose) ? Number(options.autoClose) : options.autoClose }),
      ...(options.autoCloseAfter === undefined ? {} : { after: options.autoCloseAfter }),
    }; // prettier-ignore
  }
  const parsed = parseWith(PoSettings, input);
  if (!parsed.ok) {
    const option = (path: string) => (path.startsWith('autoClose.after') ? '--auto-close-after' : path.startsWith('autoClose') ? '--auto-close' : `--${path}`); // prettier-ignore
    throw badFields(
      'bad settings',
      parsed.issues.map((issue) => ({ ...issue, path: option(issue.path) })),
    );
  }
  return input as PoSettingsInput;
}
