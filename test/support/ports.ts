import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The first port the kernel hands out on its own (to `listen(0)` and to outgoing connections).
 * Ports are picked below it: a port picked from that range and released until its server starts
 * can be taken meanwhile by a dev server's internal listeners or a connection's local end (a
 * fresh-clone run met `EADDRINUSE` that way when `poflow start` restarted on the same ports).
 */
function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768; // prettier-ignore
  } catch {
    return 32768;
  }
}

const LOWEST = 10_000;
const HIGHEST = ephemeralRangeStart() - 1;
const handedOut = new Set<number>();

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now, for servers that need one up front; never the same one twice in a process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port) || !(await listensOn(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${HIGHEST} in 100 tries`);
}
