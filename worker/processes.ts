/** Processes as Linux's /proc shows them; empty answers elsewhere, or for a process that just ended. */
import { readdirSync, readFileSync } from 'node:fs';

/** Its command line, argument by argument. */
export function commandLine(pid: number): string[] {
  return (readProc(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
}

export function parentPid(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after its ')'.
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : undefined;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const pid of allPids()) {
    const ppid = parentPid(pid);
    if (ppid) parents.set(pid, ppid);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  return [...parents.keys()].filter(inTree);
}

export function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
