/**
 * The failure type names poflow's activities throw and its workflows, retry policy and CLI tell
 * apart. Workflow-safe (no IO), so the HTTP clients, both PO workflows and the command line take
 * them from one place. Temporal records these names in histories: never rename one.
 */
export const FailureTypes = {
  /** A 4xx: the provider refused the request; retrying the same request cannot help. */
  rejected: 'ProviderRejected',
  /** 5xx, 408, 429: the provider is there but cannot answer now. */
  unavailable: 'ProviderUnavailable',
  /** Timeouts, refused or reset connections, DNS. */
  unreachable: 'ProviderUnreachable',
  /** A 2xx whose body is not what the API documents. */
  unexpectedResponse: 'ProviderResponseUnexpected',
  /** A PO (or amendment) refused field by field before anything reaches the provider. */
  purchaseOrderRejected: 'PurchaseOrderRejected',
  /** An update refused by its validator: nothing is written to history. */
  requestRefused: 'RequestRefused',
} as const;
