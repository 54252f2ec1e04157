/**
 * Webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, and the
 * older `X-Hub-Signature: sha1=<hex>` only where configured. Every configured secret is tried,
 * so a secret can be rotated without refusing deliveries signed with the previous one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignaturePolicy {
  secrets: readonly string[];
  acceptSha1?: boolean;
}

type Algorithm = 'sha256' | 'sha1';

const HEADERS: Record<Algorithm, { name: string; pattern: RegExp }> = {
  sha256: { name: 'x-hub-signature-256', pattern: /^sha256=([0-9a-f]{64})$/i },
  sha1: { name: 'x-hub-signature', pattern: /^sha1=([0-9a-f]{40})$/i },
};

export function sign(body: Buffer | string, secret: string, algorithm: Algorithm = 'sha256'): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

/** The SHA-256 header wins when present; SHA-1 is looked at only without it and only if accepted. */
export function verifySignature(
  body: Buffer,
  headers: IncomingHttpHeaders,
  policy: SignaturePolicy,
): boolean {
  const algorithm: Algorithm | undefined =
    headers[HEADERS.sha256.name] !== undefined
      ? 'sha256'
      : policy.acceptSha1 && headers[HEADERS.sha1.name] !== undefined
        ? 'sha1'
        : undefined;
  if (!algorithm) return false;
  const value = headers[HEADERS[algorithm].name];
  const match = typeof value === 'string' ? HEADERS[algorithm].pattern.exec(value) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  // No early exit between secrets: the time taken does not tell which one matched.
  let valid = false;
  for (const secret of policy.secrets) {
    const expected = createHmac(algorithm, secret).update(body).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}
