/**
 * The signature on poflow's outbound notifications: `Poflow-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>">`. The time is in the signed material, so a receiver can refuse
 * a replayed delivery; it is the time of sending, so every retry is signed afresh.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Poflow-Signature';
/** How far a receiver lets the signed time stray from its own clock by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signNotification(rawBody: string, secret: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmac(secret, unixSeconds, rawBody).toString('hex')}`;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

/** What a receiver does: the header's form, the time within tolerance, the HMAC in constant time. */
export function verifyNotificationSignature(
  rawBody: string,
  header: string | undefined,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return { valid: false, reason: `missing or malformed ${SIGNATURE_HEADER} header` };
  const t = Number(match[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) {
    return {
      valid: false,
      reason: `signed ${nowSeconds - t} s ago, outside the ${toleranceSeconds} s tolerance`,
    };
  }
  const given = Buffer.from(match[2]!, 'hex');
  if (!timingSafeEqual(hmac(secret, t, rawBody), given))
    return { valid: false, reason: 'signature does not match' };
  return { valid: true };
}

function hmac(secret: string, unixSeconds: number, rawBody: string): Buffer {
  return createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest();
}
