import { sign, verifySignature } from '../webhooks/signature';

const body = Buffer.from('{"_object":"/event","id":1}');
const secret = 'current-secret';

test('a SHA-256 signature made with any configured secret is accepted', () => {
  const policy = { secrets: ['previous-secret', secret] };
  expect(verifySignature(body, { 'x-hub-signature-256': sign(body, secret) }, policy)).toBe(true);
  expect(verifySignature(body, { 'x-hub-signature-256': sign(body, 'previous-secret') }, policy)).toBe(true);
});

test.each([
  ['missing', {}],
  ['made with another secret', { 'x-hub-signature-256': sign(body, 'other') }],
  ['over another body', { 'x-hub-signature-256': sign('{}', secret) }],
  ['truncated', { 'x-hub-signature-256': sign(body, secret).slice(0, -2) }],
  ['without its prefix', { 'x-hub-signature-256': sign(body, secret).replace('sha256=', '') }],
  ['not hex', { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }],
  ['repeated', { 'x-hub-signature-256': [sign(body, secret), sign(body, secret)] }],
])('a signature %s is refused', (_case, headers) => {
  expect(verifySignature(body, headers as Record<string, string>, { secrets: [secret] })).toBe(false);
});

test('SHA-1 is accepted only where configured, and never over a SHA-256 header', () => {
  const sha1 = { 'x-hub-signature': sign(body, secret, 'sha1') };
  expect(verifySignature(body, sha1, { secrets: [secret] })).toBe(false);
  expect(verifySignature(body, sha1, { secrets: [secret], acceptSha1: true })).toBe(true);
  const forged256 = { ...sha1, 'x-hub-signature-256': sign(body, 'other') };
  expect(verifySignature(body, forged256, { secrets: [secret], acceptSha1: true })).toBe(false);
});
