/**
 * The ground everything stands on: real Temporal servers from the project's binary resolver,
 * the prebuilt workflow bundle, the embedded dev server with the PO search attributes.
 */
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { pingWorkflow } from '../workflows/ping';
import { startDevServer } from '../worker/dev-server';
import { resolveBinaryPath } from '../worker/temporal-binaries';
import { freePort } from './support/ports';
import { devServerEnv, timeSkippingEnv, workerDefaults } from './support/temporal';

test('the binaries resolve to the project-local install', () => {
  expect(resolveBinaryPath('cli')).toMatch(/\.temporal\/venv\/bin\/temporal$/);
  expect(resolveBinaryPath('testServer')).toMatch(/\.temporal\/venv\/bin\/temporal-test-server$/);
});

test('a workflow runs on the time-skipping test server', async () => {
  const env = await timeSkippingEnv();
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'foundation',
      ...workerDefaults,
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(pingWorkflow, {
        taskQueue: 'foundation',
        workflowId: 'ping-time-skipping',
      }),
    );
    expect(result).toBe('pong');
  } finally {
    await env.teardown();
  }
});

test('the dev server answers a search-attribute query', async () => {
  const env = await devServerEnv();
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'foundation',
      ...workerDefaults,
    });
    const name = `PO-FOUNDATION-${Date.now()}`;
    await worker.runUntil(
      env.client.workflow.execute(pingWorkflow, {
        taskQueue: 'foundation',
        workflowId: `ping-${name}`,
        typedSearchAttributes: [{ key: SearchAttributes.PoName, value: name }],
      }),
    );
    const ids = await waitForVisibility(env.client, `PoName = "${name}"`, 1);
    expect(ids).toEqual([`ping-${name}`]);
  } finally {
    await env.teardown();
  }
});

test('the embedded dev server keeps workflows and registers search attributes across a restart', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poflow-devserver-'));
  const options = {
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    dbFile: path.join(dir, 'temporal.sqlite'),
  };
  try {
    let server = await startDevServer(options);
    const ui = await fetch(`${server.uiUrl}/api/v1/namespaces/default/workflows`);
    expect(ui.status).toBe(200);
    let connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    await client.workflow.start(pingWorkflow, {
      taskQueue: 'nobody-polls',
      workflowId: 'survives-restart',
      typedSearchAttributes: [{ key: SearchAttributes.PoStatus, value: 'open' }],
    });
    await connection.close();
    await server.stop();

    server = await startDevServer(options);
    connection = await Connection.connect({ address: server.address });
    try {
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(
        expect.arrayContaining(Object.values(SearchAttributes).map((key) => key.name)),
      );
      const ids = await waitForVisibility(new Client({ connection }), 'PoStatus = "open"', 1);
      expect(ids).toEqual(['survives-restart']);
    } finally {
      await connection.close();
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Visibility is eventually consistent: poll until the query returns the expected count. */
async function waitForVisibility(client: Client, query: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
    if (ids.length >= count || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
