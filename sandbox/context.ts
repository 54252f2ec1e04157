/** What every domain module shares: the state, the network, the event log, links and the clock. */
import type { EventLog } from './events';
import type { Network } from './network';
import type { RecordKind, State } from './state';

export interface Context {
  state: State;
  network: Network;
  events: EventLog;
  /** Absolute links, as Flexport gives them: set once the server knows its address. */
  links: Links;
  now: () => Date;
  /** Every change to a record calls this, so persistence writes that record alone. */
  recordChanged: RecordChanged;
}

export type RecordChanged = (kind: RecordKind, record: { id: number }) => void;

export class Links {
  base = 'http://127.0.0.1';

  url(path: string): string {
    return `${this.base}${path}`;
  }
}
