/**
 * `Idempotency-Key` on the API's writes: the same key with the same request within a day answers
 * the first answer again and does nothing again; the same key with another request is refused
 * (422). Keys live in this process's memory, at most `maxKeys` of them (the least recently used
 * go first), so a restart forgets them: the PO name is the durable idempotency key of a create,
 * and a repeated cancel, close or named booking is harmless on its own.
 */
import { createHash } from 'node:crypto';
import { ApiProblem, PROBLEM_TYPES } from './problems';

/** An answer as the server sends it, kept to be sent again. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The body is a problem document (`application/problem+json`). */
  problem?: boolean;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  /** Settles once the first request has its answer; a repeat that comes meanwhile waits for it. */
  answer: Promise<StoredAnswer>;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly maxKeys = 10_000,
    readonly ttlMs = DAY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The answer to a request with this key: `produce`'s, or the one given to the same request
   * before. `scope` keeps callers apart (the token's name); `fingerprint` is the request (method,
   * path and body). An answer of 5xx is not kept: the request may be tried again under its key.
   */
  async answer(
    scope: string,
    key: string,
    fingerprint: string,
    produce: () => Promise<StoredAnswer>,
  ): Promise<StoredAnswer & { replayed: boolean }> {
    if (!KEY.test(key)) {
      throw new ApiProblem(
        400,
        PROBLEM_TYPES.badRequest,
        'Idempotency-Key: 1-255 visible ASCII characters (a UUID, for example)',
        [{ path: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      );
    }
    const id = `${scope}\n${key}`;
    const found = this.fresh(id);
    if (found) {
      if (found.fingerprint !== fingerprint) {
        throw new ApiProblem(
          422,
          PROBLEM_TYPES.idempotencyKeyReused,
          `Idempotency-Key ${JSON.stringify(key)} was used for another request within the last ` +
            `${Math.round(this.ttlMs / 3_600_000)} h: a new request needs a new key`,
          [{ path: 'Idempotency-Key', message: 'already used for a different request' }],
        );
      }
      // Refreshed as recently used.
      this.entries.delete(id);
      this.entries.set(id, found);
      return { ...(await found.answer), replayed: true };
    }
    const answer = produce();
    const entry: Entry = { fingerprint, expiresAt: this.now() + this.ttlMs, answer };
    this.entries.set(id, entry);
    this.evict();
    try {
      const produced = await answer;
      if (produced.status >= 500) this.forget(id, entry);
      return { ...produced, replayed: false };
    } catch (err) {
      this.forget(id, entry);
      throw err;
    }
  }

  private fresh(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private forget(id: string, entry: Entry): void {
    if (this.entries.get(id) === entry) this.entries.delete(id);
  }

  /** The least recently used keys go past `maxKeys` (a Map iterates in insertion order). */
  private evict(): void {
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) break;
      this.entries.delete(id);
    }
  }
}

/** A request as its key stands for it: method, path and body (keys in any order). */
export function fingerprintOf(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n${canonicalJson(body)}`)
    .digest('hex');
}

/** JSON with every object's keys sorted: the same document however its keys were ordered. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'null'
  );
}
