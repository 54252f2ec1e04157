/**
 * The codec server the Temporal Web UI calls to show encrypted payloads: `POST /encode` and
 * `POST /decode` take and answer `{ "payloads": [{ "metadata": { k: base64 }, "data": base64 }] }`
 * (the UI's format, protobuf JSON). Browsers call it directly, so it answers CORS for the UI's
 * origins only; with a token configured every call needs `Authorization: Bearer <token>`.
 * Keys and payloads are never logged.
 */
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { poflowLogger } from '../infra/logger';
import { z } from 'zod';
import { AesGcmCodec } from './aes-gcm';
import type { CodecKeys } from './keys';

export interface CodecServerOptions {
  port: number;
  host?: string;
  keys: CodecKeys | undefined;
  /** Origins allowed to call it from a browser, e.g. `http://127.0.0.1:8233`, `https://cloud.temporal.io`. */
  corsOrigins: string[];
  /** When set, every call must carry `Authorization: Bearer <authToken>`. */
  authToken?: string;
  logger?: Logger;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })),
});
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization, caller-type';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const codec = new AesGcmCodec(options.keys);
  const log = options.logger ?? poflowLogger('codec-server');
  const origins = new Set(options.corsOrigins.map((origin) => origin.replace(/\/+$/, '')));
  const expected = options.authToken ? digest(`Bearer ${options.authToken}`) : undefined;
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    }
    if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      log.warn({ path: request.url, status: 401 }, 'codec request refused: bad or missing authorization');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'Authorization: Bearer <token> required' });
    }
  });
  app.options('/*', async () => undefined);
  app.post('/encode', (request, reply) => transform(request, reply, (p) => codec.encode(p)));
  app.post('/decode', (request, reply) => transform(request, reply, (p) => decodeEach(codec, p, log)));
  app.get('/healthz', async () => ({ status: 'ok', encrypting: Boolean(options.keys?.encryptWith) }));
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    return reply
      .code(status)
      .send({ error: status === 413 ? 'body_too_large' : 'bad_request', message: error.message });
  });

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const { address, port } = app.server.address() as AddressInfo;
  return { url: `http://${address}:${port}`, close: () => app.close() };
}

async function transform(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (payloads: Payload[]) => Promise<Payload[]>,
): Promise<unknown> {
  const parsed = PayloadsBody.safeParse(request.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return reply
      .code(400)
      .send({ error: 'bad_request', message: `${issue.path.join('.') || 'body'}: ${issue.message}` });
  }
  const payloads = parsed.data.payloads.map((p) => temporal.api.common.v1.Payload.fromObject(p));
  const result = await run(payloads);
  return {
    payloads: result.map((p) =>
      temporal.api.common.v1.Payload.toObject(temporal.api.common.v1.Payload.create(p), { bytes: String }),
    ),
  };
}

/**
 * One undecodable payload (a key this server lacks, a tampered one) stays encrypted in the answer
 * and is logged with the reason, so the UI still shows every other payload of the PO.
 */
async function decodeEach(codec: AesGcmCodec, payloads: Payload[], log: Logger): Promise<Payload[]> {
  return Promise.all(
    payloads.map(async (payload) => {
      try {
        return (await codec.decode([payload]))[0]!;
      } catch (err) {
        log.warn({ reason: (err as Error).message }, 'payload left encrypted');
        return payload;
      }
    }),
  );
}

/** Fixed-length digests, so the constant-time comparison never depends on the header's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
