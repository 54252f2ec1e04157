/** What every command that talks to Temporal shares: configuration, a client, the output mode. */
import { readFile } from 'node:fs/promises';
import { loadConfig, type Config } from '../worker/config';
import { connectClient, type PoflowClient } from '../worker/connection';
import { BadInput } from './errors';

export interface Session {
  config: Config;
  client: PoflowClient;
  /** `--json`: one JSON document on stdout, nothing decorative anywhere. */
  json: boolean;
}

export async function withSession<T>(json: boolean, run: (session: Session) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config);
  try {
    return await run({ config, client, json });
  } finally {
    await client.connection.close();
  }
}

/** Prints `data` as JSON under `--json`, else the human text. */
export function print(session: Pick<Session, 'json'>, data: unknown, human: () => string): void {
  console.log(session.json ? JSON.stringify(data, null, 2) : human());
}

/** A JSON document given on the command line; a missing or malformed file is bad input naming it. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadInput(`${file}: not valid JSON: ${(err as Error).message}`);
  }
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInput(`${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
