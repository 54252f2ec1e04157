/**
 * The providers, on the host side: one line each, exhaustive by type (a provider in `PROVIDERS`
 * without its line here is a compile error). The workflow side is `workflows/providers.ts`.
 * Adding a provider: `workflows/<provider>/` (its PO body, reducer, workflow and `provider.ts`),
 * `activities/<provider>/` (its HTTP client and activities), `providers/<provider>/` (`host.ts`),
 * and a line in each registry.
 */
import type { Client } from '@temporalio/client';
import { DEFAULT_PROVIDER, type Provider } from '../workflows/core/choices';
import { poMessages } from '../workflows/core/messages';
import { parseWith, type Parsed } from '../workflows/core/parsing';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import type { FlxpointPoView } from '../workflows/flxpoint/messages';
import type { PoView } from '../workflows/flexport/messages';
import { flexportHost } from './flexport/host';
import { flxpointHost } from './flxpoint/host';
import type { ProviderHost, StatusRow } from './provider';
import type { StartedPurchaseOrder } from './start-once';

export const PROVIDER_HOSTS = {
  flexport: flexportHost,
  flxpoint: flxpointHost,
} as const satisfies { [P in Provider]: { side: { provider: P } } };

/** What a PO's `state` query answers, whichever its provider. */
export type AnyPoView = PoView | FlxpointPoView;

/** `state`, `amend` and `cancel` of a PO whose provider is known only at run time. */
export const anyPoMessages = poMessages<AnyPoView>();

/**
 * The host of a provider, its types widened to the union: for code that holds a PO whose
 * provider it knows only at run time (what the registry is for). Each host checks its own input.
 */
export function hostOf(provider: Provider): ProviderHost<unknown, AnyPoView, Provider> {
  return PROVIDER_HOSTS[provider] as unknown as ProviderHost<unknown, AnyPoView, Provider>;
}

export function statusRowsOf(view: AnyPoView): StatusRow[] {
  return hostOf(view.provider).statusRows(view);
}

export function flagsOf(view: AnyPoView): string[] {
  return hostOf(view.provider).flags(view);
}

/** Starts a PO's workflow with the body its provider's schema passed. */
export function startWith(client: Client, po: unknown, settings: PoSettings): Promise<StartedPurchaseOrder> {
  return hostOf(settings.provider).start(client, po, settings);
}

/** The settings of adopted POs: the provider's adoption defaults under what the operator gave. */
export function adoptionSettingsOf(settings: PoSettingsInput = {}): Parsed<PoSettings> {
  const defaults = hostOf(settings.provider ?? DEFAULT_PROVIDER).adoption.defaults;
  return parseWith(PoSettings, { ...defaults, ...settings });
}

export type { ProviderConnection, ProviderHost, StatusRow } from './provider';
