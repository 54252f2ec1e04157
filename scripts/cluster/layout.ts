/**
 * Where the local production-shaped cluster lives and which ports it takes. Everything is under
 * the git-ignored `.cluster/` folder; every port is Temporal's usual one plus an offset (20000 by
 * default), below the kernel's range of ephemeral ports, so the free random ports other servers on
 * the machine pick never land on it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../worker/temporal-binaries';

export const CLUSTER_DIR = process.env.POFLOW_CLUSTER_DIR ?? path.join(PROJECT_ROOT, '.cluster');
export const BIN_DIR = path.join(CLUSTER_DIR, 'bin');
export const LOG_DIR = path.join(CLUSTER_DIR, 'logs');
export const CONFIG_FILE = path.join(CLUSTER_DIR, 'config', 'temporal.yaml');
export const DYNAMIC_CONFIG_FILE = path.join(CLUSTER_DIR, 'config', 'dynamicconfig.yaml');
export const POSTGRES_DIR = path.join(CLUSTER_DIR, 'postgres');
const STATE_FILE = path.join(CLUSTER_DIR, 'state.json');

/** The four Temporal services, each its own process, in the order they start. */
export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type Service = (typeof SERVICES)[number];

/** Temporal's own default ports (config/development-postgres12.yaml); the cluster adds its offset. */
const DEFAULT_PORTS = {
  postgres: 5432,
  frontendHttp: 7243,
  grpc: { frontend: 7233, history: 7234, matching: 7235, worker: 7239 },
  membership: { frontend: 6933, history: 6934, matching: 6935, worker: 6939 },
  metrics: { frontend: 8000, history: 8001, matching: 8002, worker: 8003 },
} as const;

export interface ClusterPorts {
  postgres: number;
  frontendHttp: number;
  grpc: Record<Service, number>;
  membership: Record<Service, number>;
  metrics: Record<Service, number>;
}

export const PORT_OFFSET_VARIABLE = 'POFLOW_CLUSTER_PORT_OFFSET';

export function clusterPorts(env: NodeJS.ProcessEnv = process.env): ClusterPorts {
  const raw = env[PORT_OFFSET_VARIABLE] ?? '20000';
  const offset = Number(raw);
  if (!/^\d+$/.test(raw) || offset + 8003 > 65535) {
    throw new Error(
      `${PORT_OFFSET_VARIABLE}: expected a whole number up to ${65535 - 8003}, got ${JSON.stringify(raw)}`,
    );
  }
  const shift = (ports: Record<Service, number>) =>
    Object.fromEntries(SERVICES.map((s) => [s, ports[s] + offset])) as Record<Service, number>;
  return {
    postgres: DEFAULT_PORTS.postgres + offset,
    frontendHttp: DEFAULT_PORTS.frontendHttp + offset,
    grpc: shift(DEFAULT_PORTS.grpc),
    membership: shift(DEFAULT_PORTS.membership),
    metrics: shift(DEFAULT_PORTS.metrics),
  };
}

/** Every port the cluster listens on, named, for the check that they are free. */
export function allPorts(ports: ClusterPorts): Array<[string, number]> {
  return [
    ['postgres', ports.postgres],
    ['frontend http', ports.frontendHttp],
    ...SERVICES.flatMap((s): Array<[string, number]> => [
      [`${s} grpc`, ports.grpc[s]],
      [`${s} membership`, ports.membership[s]],
      [`${s} metrics`, ports.metrics[s]],
    ]),
  ];
}

const ClusterState = z.object({
  ports: z.custom<ClusterPorts>(),
  namespace: z.string(),
  /** Pid of each Temporal service process. */
  services: z.record(z.string(), z.number()),
});
export type ClusterState = z.infer<typeof ClusterState> & { services: Partial<Record<Service, number>> };

export function readState(): ClusterState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  return ClusterState.parse(JSON.parse(readFileSync(STATE_FILE, 'utf8'))) as ClusterState;
}

export function writeState(state: ClusterState): void {
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

export function removeState(): void {
  rmSync(STATE_FILE, { force: true });
}

export function frontendAddress(ports: ClusterPorts): string {
  return `127.0.0.1:${ports.grpc.frontend}`;
}
