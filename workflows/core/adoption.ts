/** How a PO poflow did not create came to be followed, whichever its provider: kept in its state. */
import type { Provider } from './choices';

export interface AdoptionRecord {
  at: string;
  provider: Provider;
  providerId: number;
  version?: number;
  /** The provider's last change before the adoption. */
  providerUpdatedAt?: string;
  trigger: string;
}
