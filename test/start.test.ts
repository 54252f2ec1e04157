/**
 * `poflow start` as a user runs it: the whole embedded stack in a subprocess on free ports, the
 * sandbox (in its own thread) answering and persisting, and Ctrl-C stopping everything in reverse
 * order with exit code 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { freePort } from './support/ports';

const dataDir = mkdtempSync(path.join(tmpdir(), 'poflow-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('starts the whole stack with the sandbox answering, and Ctrl-C stops it all cleanly', async () => {
  const sandboxPort = await freePort();
  const env = {
    ...process.env,
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SANDBOX_PORT: String(sandboxPort),
    WEBHOOK_PORT: String(await freePort()),
    POFLOW_METRICS_PORT: String(await freePort()),
    POFLOW_CODEC_PORT: String(await freePort()),
    POFLOW_DATA_DIR: dataDir,
  };
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), 'start'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    const deadline = Date.now() + 180_000;
    while (!output.includes('Press Ctrl-C to stop.')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`poflow start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    expect(output).toContain(`Sandbox      ${sandboxUrl}`);
    const created = await fetch(`${sandboxUrl}/_sandbox/network`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ products: [{ sku: 'START-1', name: 'Started' }] }),
    });
    expect(created.status).toBe(200);
  } finally {
    child.kill('SIGINT');
    const [code] = await exited;
    expect({ code, stopping: output.includes('stopping...') }).toEqual({ code: 0, stopping: true });
  }
  // The sandbox thread closed its database and its port with the rest.
  expect(existsSync(path.join(dataDir, 'sandbox.sqlite'))).toBe(true);
  await expect(fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/network`)).rejects.toThrow();
});
