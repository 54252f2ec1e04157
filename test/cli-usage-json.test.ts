/**
 * `--json` covers commander's own usage errors too: a bad choice, an unknown command or a missing
 * argument prints one JSON document on stdout (nothing on stderr) with exit code 2, as every other
 * error does with `--json`; without it they stay commander's text on stderr. No stack is needed:
 * they end before anything connects.
 */
import { jsonOf, runCli } from './support/stack';

const cli = { cliEnv: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: '127.0.0.1:1' } };

test("commander's usage errors come out as JSON with --json, wherever it stands", async () => {
  const badChoice = await runCli(cli, ['status', 'PO-1001', '--provider', 'flexpor', '--json']);
  expect(badChoice).toMatchObject({ code: 2, stderr: '' });
  expect(jsonOf(badChoice)).toEqual({
    error:
      "option '--provider <provider>' argument 'flexpor' is invalid. Allowed choices are flexport, flxpoint.",
    code: 'commander.invalidArgument',
  });
  const unknown = await runCli(cli, ['--json', 'frobnicate']);
  expect(unknown).toMatchObject({ code: 2, stderr: '' });
  expect(jsonOf(unknown)).toEqual({
    error: "unknown command 'frobnicate'",
    code: 'commander.unknownCommand',
  });
  const missing = await runCli(cli, ['status', '--json']);
  expect(missing.code).toBe(2);
  expect(jsonOf(missing).error).toBe("missing required argument 'name'");

  const plain = await runCli(cli, ['status', 'PO-1001', '--provider', 'flexpor']);
  expect(plain).toMatchObject({ code: 2, stdout: '' });
  expect(plain.stderr).toMatch(/^error: option '--provider <provider>' argument 'flexpor' is invalid/);
  const help = await runCli(cli, ['status', '--help', '--json']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: poflow status/);
});
