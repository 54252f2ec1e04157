/** The webhook process's structured log. Secrets and signatures are never logged; redaction is a backstop. */
import pino, { type DestinationStream, type Logger } from 'pino';

export function webhookLogger(destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'poflow-webhooks',
      redact: {
        paths: [
          'secret',
          'secrets',
          '*.secret',
          '*.secrets',
          'headers["x-hub-signature-256"]',
          'headers["x-hub-signature"]',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination(1),
  );
}
