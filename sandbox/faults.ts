/**
 * Fault injection: a share of 503/504 answers, a 4xx refusal of chosen requests, added latency,
 * and dropped, duplicated or reordered webhook deliveries. Every draw comes from one seeded PRNG
 * so a run replays exactly.
 */
import { z } from 'zod';
import { seededRandom, type Random } from './random';

const share = z.number().min(0).max(1);

export const FaultOptionsSchema = z.strictObject({
  /** Share of API requests answered with a 503 or 504 instead of being served. */
  serverErrorRate: share.default(0),
  /** Of those, the share answered 504 Gateway Time-out (the rest are 503). */
  gatewayTimeoutShare: share.default(0),
  /** Adds `Retry-After: <seconds>` to injected 503/504 answers. */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** Route families the server errors apply to (e.g. ["purchase_orders"]); all when unset. */
  routeFamilies: z.array(z.string()).optional(),
  /**
   * Requests answered with this 4xx (a provider refusing a write poflow cannot change) instead of
   * being served, before auth and before any effect: those of the route families and methods named
   * (all when unset). No draw: every matching request is refused until the faults change.
   */
  refuse: z
    .strictObject({
      status: z.number().int().min(400).max(499),
      code: z.string().min(1).default('unprocessable_entity'),
      message: z.string().min(1).default('Refused by the sandbox (fault injection)'),
      routeFamilies: z.array(z.string()).optional(),
      methods: z.array(z.enum(['GET', 'POST', 'PUT', 'DELETE'])).optional(),
    })
    .optional(),
  /** Latency added to every API request: latencyMs plus a uniform draw in [0, latencyJitterMs). */
  latencyMs: z.number().int().min(0).default(0),
  latencyJitterMs: z.number().int().min(0).default(0),
  /** Share of webhook deliveries never sent (the event stays in GET /events). */
  webhookDropRate: share.default(0),
  /** Share of webhook deliveries sent twice. */
  webhookDuplicateRate: share.default(0),
  /**
   * Each delivery is held for a uniform draw in [0, window) ms, so later events can overtake
   * earlier ones.
   */
  webhookReorderWindowMs: z.number().int().min(0).default(0),
});
export type FaultOptions = z.input<typeof FaultOptionsSchema>;
export type FaultSettings = z.output<typeof FaultOptionsSchema>;

export interface ServerFault {
  status: 503 | 504;
  retryAfterSeconds?: number;
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export interface DeliveryPlan {
  drop: boolean;
  duplicate: boolean;
  holdMs: number;
}

export class Faults {
  private settings: FaultSettings;
  private random: Random;

  constructor(options: FaultOptions = {}, seed = 1) {
    this.settings = FaultOptionsSchema.parse(options);
    this.random = seededRandom(seed);
  }

  get current(): FaultSettings {
    return this.settings;
  }

  /** Replaces the fault settings; a seed restarts the PRNG so the next draws are reproducible. */
  configure(options: FaultOptions, seed?: number): void {
    this.settings = FaultOptionsSchema.parse(options);
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** `optIn`: the family is spared unless `routeFamilies` names it (an emulator beside Flexport's). */
  serverFault(routeFamily: string, { optIn = false } = {}): ServerFault | undefined {
    const { serverErrorRate, gatewayTimeoutShare, retryAfterSeconds, routeFamilies } = this.settings;
    const applies = routeFamilies ? routeFamilies.includes(routeFamily) : !optIn;
    if (serverErrorRate === 0 || !applies) return undefined;
    if (this.random() >= serverErrorRate) return undefined;
    const status = this.random() < gatewayTimeoutShare ? 504 : 503;
    return { status, retryAfterSeconds };
  }

  /** The refusal a Flexport API request meets, if the `refuse` setting names it. */
  refusal(routeFamily: string, method: string): Refusal | undefined {
    const refuse = this.settings.refuse;
    if (!refuse) return undefined;
    if (refuse.routeFamilies && !refuse.routeFamilies.includes(routeFamily)) return undefined;
    if (refuse.methods && !(refuse.methods as string[]).includes(method.toUpperCase())) return undefined;
    return { status: refuse.status, code: refuse.code, message: refuse.message };
  }

  latencyMs(): number {
    const { latencyMs, latencyJitterMs } = this.settings;
    return latencyMs + (latencyJitterMs > 0 ? Math.floor(this.random() * latencyJitterMs) : 0);
  }

  deliveryPlan(): DeliveryPlan {
    const { webhookDropRate, webhookDuplicateRate, webhookReorderWindowMs } = this.settings;
    const drop = webhookDropRate > 0 && this.random() < webhookDropRate;
    const duplicate = !drop && webhookDuplicateRate > 0 && this.random() < webhookDuplicateRate;
    const holdMs = webhookReorderWindowMs > 0 ? Math.floor(this.random() * webhookReorderWindowMs) : 0;
    return { drop, duplicate, holdMs };
  }
}
