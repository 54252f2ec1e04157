/**
 * Runs the sandbox alone: `npx tsx sandbox/main.ts`. Configured from the environment:
 * SANDBOX_PORT (8400), SANDBOX_HOST (127.0.0.1), FLEXPORT_API_TOKEN ('sandbox'), SANDBOX_DB_FILE,
 * SANDBOX_SEED, and WEBHOOK_URL + WEBHOOK_SECRET to register one webhook endpoint.
 */
import { z } from 'zod';
import { startSandbox } from './server';

const Env = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(8400),
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  FLEXPORT_API_TOKEN: z.string().min(1).default('sandbox'),
  SANDBOX_DB_FILE: z.string().optional(),
  SANDBOX_SEED: z.coerce.number().int().optional(),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  const webhooks =
    env.WEBHOOK_URL && env.WEBHOOK_SECRET ? [{ url: env.WEBHOOK_URL, secret: env.WEBHOOK_SECRET }] : [];
  const sandbox = await startSandbox({
    port: env.SANDBOX_PORT,
    host: env.SANDBOX_HOST,
    apiToken: env.FLEXPORT_API_TOKEN,
    dbFile: env.SANDBOX_DB_FILE,
    seed: env.SANDBOX_SEED,
    webhooks,
    logger: true,
  });
  console.log(`Flexport sandbox listening on ${sandbox.url}`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
