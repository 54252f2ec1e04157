/**
 * What a provider is on the host side of the bundle boundary: how its PO's workflow is started and
 * shown, how a PO made there is adopted, and where its activities run. Each provider describes
 * itself once (`providers/<provider>/host.ts`) and `providers/index.ts` registers it; the client,
 * the worker and the webhooks look a provider up there instead of comparing names.
 */
import type { Client } from '@temporalio/client';
import type { Provider } from '../workflows/core/choices';
import type { ProviderWorkflowSide } from '../workflows/core/provider';
import type { PoSettings, PoSettingsInput } from '../workflows/core/settings';
import type { AdoptionResult, StartOptions, StartedPurchaseOrder } from './start-once';

/** Where a provider's API is and the token for it (`<PREFIX>_BASE_URL`, `<PREFIX>_API_TOKEN`). */
export interface ProviderConnection {
  baseUrl: string;
  apiToken: string;
  /** No `<PREFIX>_BASE_URL`: the embedded sandbox. */
  embedded: boolean;
  /** `<PREFIX>_API_TOKEN` was given (else the token is the sandbox's). */
  apiTokenSet: boolean;
}

/** A row of `poflow status`: a label and its value (rows without one are left out). */
export type StatusRow = [label: string, value: string | undefined];

/** A provider whose activities run on a task queue of their own, rate-limited by the worker. */
export interface OwnActivityQueue {
  taskQueue: string;
  /** The provider's request budget: the server hands out at most this many tasks a second. */
  requestsPerSecond: number;
  /** Few slots: a task the worker holds only waits for its turn, against its start-to-close timeout. */
  maxConcurrentActivities: number;
  /** The environment switch that lets another process send this provider's requests. */
  workerSwitch: string;
}

/** Which of the provider's POs `adopt --all` walks. */
export interface AdoptAllFilters {
  status: string;
  updatedAfter?: string;
}

/** `adopt --all`: the provider's POs page by page, each adopted as it is listed. */
export interface AdoptAllWalk {
  /** The statuses a PO can have at the provider (what `--status` may name). */
  statuses: readonly string[];
  list(filters: AdoptAllFilters, onTotal: (total: number) => void): AsyncIterable<ListedPo>;
  /** Starts a listed PO's workflow (nothing more is read when poflow already follows it). */
  adopt(client: Client, po: ListedPo, settings: PoSettings): Promise<AdoptionResult>;
}

/** A PO as the provider lists it: its name, and the rest for `adopt` to read. */
export interface ListedPo {
  name: string;
  resource: Record<string, unknown>;
}

export interface ProviderHost<Po, View, P extends Provider> {
  side: ProviderWorkflowSide<Po, View, P, unknown>;
  /** `FLEXPORT`: its settings are `FLEXPORT_BASE_URL` and `FLEXPORT_API_TOKEN`. */
  envPrefix: string;
  /** Where the embedded sandbox serves this provider, below the sandbox's address. */
  sandboxPath: string;
  /** Unset: on the PO task queue, with the workflows. */
  activityQueue?: OwnActivityQueue;
  /** The activities the provider's calls run as, talking to it at `connection`. */
  activities(connection: ProviderConnection): object;
  /** Starts the workflow of a PO that passed the provider's checks (unless it has one). */
  start(client: Client, po: Po, settings: PoSettings): Promise<StartedPurchaseOrder>;
  /** What `poflow status` shows of this provider's PO, between its status line and the last change. */
  statusRows(view: View): StatusRow[];
  /** Flags beside the status (`acknowledged`, `LATE`, ...). */
  flags(view: View): string[];
  adoption: {
    /** An adopted PO's settings before the operator's (an adopted Flexport PO is not auto-closed). */
    defaults: PoSettingsInput;
    /** Reads the PO named `name` at the provider and starts its workflow as it is there. */
    adoptByName(
      client: Client,
      connection: ProviderConnection,
      name: string,
      settings: PoSettings,
    ): Promise<AdoptionResult>;
    /** Adopting every PO the provider lists, or why it cannot (it lists none). */
    all(connection: ProviderConnection): AdoptAllWalk | { refused: string };
  };
}

export type { AdoptionResult, StartOptions, StartedPurchaseOrder };
