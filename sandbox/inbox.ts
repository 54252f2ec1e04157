/**
 * Inboxes that play the ERP (and the chat tool) receiving poflow's notifications, under
 * `/_sandbox/inbox/<name>`: each checks the `Poflow-Signature` against its secret (none: it takes
 * anything, as a chat webhook does), records what it got and whether it was a duplicate, and can
 * answer 5xx on demand to stand for an endpoint that is down. In memory only. See README.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SIGNATURE_HEADER, verifyNotificationSignature } from '../activities/notification-signature';
import { ApiError, notFound } from './envelopes';
import type { Context } from './context';
import { envelope } from './routes/http';

const InboxSettings = z.strictObject({
  /** The shared secret deliveries must be signed with; unset: no check (a chat webhook). */
  secret: z.string().min(1).optional(),
  /** Answer `failStatus` to everything until set false again. */
  down: z.boolean().optional(),
  /** Answer `failStatus` to the next N deliveries, then take them again. */
  failNext: z.number().int().min(0).optional(),
  failStatus: z.number().int().min(500).max(599).optional(),
});

interface Delivery {
  receivedAt: string;
  /** 2xx: taken; otherwise what the inbox answered. */
  status: number;
  /** Why it was refused, when it was. */
  reason?: string;
  /** The body's `id`, for a signed notification. */
  id?: string;
  duplicate?: boolean;
  body: unknown;
}

interface Inbox {
  secret?: string;
  down: boolean;
  failNext: number;
  failStatus: number;
  deliveries: Delivery[];
  seen: Set<string>;
}

export function inboxRoutes(app: FastifyInstance, ctx: Context): void {
  const inboxes = new Map<string, Inbox>();
  const named = (request: FastifyRequest) => (request.params as { name: string }).name;
  const existing = (request: FastifyRequest) => {
    const inbox = inboxes.get(named(request));
    if (!inbox) throw notFound('inbox', named(request));
    return inbox;
  };
  const summary = (request: FastifyRequest, inbox: Inbox) => {
    const taken = inbox.deliveries.filter((d) => d.status < 300);
    return envelope(
      ctx,
      request,
      {
        name: named(request),
        signed: inbox.secret !== undefined,
        down: inbox.down,
        failNext: inbox.failNext,
        deliveries: inbox.deliveries,
        /** Each notification once, in the order first taken: what a deduplicating receiver keeps. */
        received: taken.filter((d) => !d.duplicate).map((d) => d.body),
        duplicates: taken.filter((d) => d.duplicate).length,
        refused: inbox.deliveries.length - taken.length,
      },
      2,
    );
  };

  // Its own scope: the raw body, byte for byte, is what the signature covers.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.put('/_sandbox/inbox/:name', async (request) => {
      const parsed = InboxSettings.safeParse(parseJson(request.body));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ApiError(400, 'bad_request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      const settings = parsed.data;
      const inbox = inboxes.get(named(request)) ?? {
        down: false,
        failNext: 0,
        failStatus: 503,
        deliveries: [],
        seen: new Set(),
      };
      if ('secret' in settings) inbox.secret = settings.secret;
      inbox.down = settings.down ?? inbox.down;
      inbox.failNext = settings.failNext ?? inbox.failNext;
      inbox.failStatus = settings.failStatus ?? inbox.failStatus;
      inboxes.set(named(request), inbox);
      return summary(request, inbox);
    });

    scope.get('/_sandbox/inbox/:name', async (request) => summary(request, existing(request)));

    scope.delete('/_sandbox/inbox/:name', async (request) => {
      existing(request);
      inboxes.delete(named(request));
      return envelope(ctx, request, { name: named(request), deleted: true }, 2);
    });

    scope.post('/_sandbox/inbox/:name', async (request, reply) => {
      const inbox = existing(request);
      const raw = typeof request.body === 'string' ? request.body : '';
      const receivedAt = new Date().toISOString();
      const refuse = (status: number, reason: string, body: unknown = raw) => {
        inbox.deliveries.push({ receivedAt, status, reason, body });
        return reply.code(status).send({ error: reason });
      };
      if (inbox.down || inbox.failNext > 0) {
        inbox.failNext = Math.max(0, inbox.failNext - 1);
        return refuse(inbox.failStatus, 'inbox down on purpose');
      }
      if (inbox.secret !== undefined) {
        const header = request.headers[SIGNATURE_HEADER.toLowerCase()];
        const check = verifyNotificationSignature(
          raw,
          typeof header === 'string' ? header : undefined,
          inbox.secret,
          Math.floor(Date.now() / 1000),
        );
        if (!check.valid) return refuse(401, check.reason);
      }
      const body = parseJson(raw);
      if (body === undefined) return refuse(400, 'body is not JSON');
      const id = (body as { id?: unknown }).id;
      const key = typeof id === 'string' ? id : undefined;
      const duplicate = key !== undefined && inbox.seen.has(key);
      if (key !== undefined) inbox.seen.add(key);
      inbox.deliveries.push({ receivedAt, status: 200, id: key, duplicate, body });
      return reply.code(200).send({ ok: true, duplicate });
    });
  });
}

function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
