// The executor's launcher: a small Node process (plain JavaScript, no TypeScript loader, nothing else loaded) that
// starts job processes for the executor, which talks to it over Node's IPC channel. It exists because fork() costs
// in proportion to the forking process's memory: the executor (Temporal worker, store, ~200 MB) pays several ms of
// CPU per spawn in its own fork and in the child's exec; this process (~50 MB) pays a fraction of that.
//
// Each `start` names the argv, the working directory, the environment (as changes to this process's own, which is
// the executor's) and the two log files (checked by the executor to lie under the run's directory; opened here
// without following a symlink in their last component, mode 0640). Every job gets its own process group. With
// `registerAs` (the executor's registry directory and the job's fields; the file format is jobGroups.ts's) the job
// is registered here right after its spawn; a job started through runProcess's gate instead waits on its fd 3 for
// the executor's `go` (or `refuse`). It reports `spawned` (pid; registerError when the registration failed: then the
// job is killed at once), `error` (could not open a log, or start) and `exit` (code, signal, seconds since the spawn).
// Messages go both ways in arrays: those of one turn of the event loop together.
//
// Its jobs die with the executor: the launcher runs under a parent-death signal (SIGUSR2, setpriv) and, on it or when
// the IPC channel ends, SIGKILLs the process group of every job it started that is still running, then exits (the
// executor's registry watchdog and the next executor's reaper back this up). Terminal signals are ignored.
import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

const LOG_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const LOG_MODE = 0o640;
const REGISTRY_MODE = 0o600;

/** Process group ids of the jobs still running. */
const running = new Set();
/** Gated children waiting for `go`, by request id: their fd 3. */
const gates = new Map();
/** The environment the executor's changes apply to: this process's own, as inherited from the executor. */
const baseEnv = { ...process.env };

function killAllAndExit() {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(signal, () => {});
process.on('SIGUSR2', killAllAndExit); // the executor died (parent-death signal)
process.on('disconnect', killAllAndExit); // the executor closed the channel (stopped, or died elsewhere than Linux)

/** Messages to the executor not sent yet: sent together at the end of this turn of the event loop. */
let outbox = [];

function send(message) {
  outbox.push(message);
  if (outbox.length > 1) return;
  setImmediate(() => {
    const messages = outbox;
    outbox = [];
    if (process.connected) process.send(messages);
  });
}

function openLog(file) {
  const fd = openSync(file, LOG_FLAGS, LOG_MODE);
  try {
    fchmodSync(fd, LOG_MODE);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

function closeLogs(out, err) {
  closeSync(out);
  if (err !== out) closeSync(err);
}

function environment({ set, unset }) {
  const env = { ...baseEnv, ...set };
  for (const key of unset) delete env[key];
  return env;
}

/** The job's registry file (jobGroups.ts's format: the group id, then the job as JSON). */
function register({ dir, fields }, pid) {
  writeFileSync(path.join(dir, `${pid}.job`), `${pid}\n${JSON.stringify({ pgid: pid, ...fields })}\n`, { mode: REGISTRY_MODE });
}

function failStart(id, command, message, out, err) {
  try {
    writeSync(err, `tbps: could not start ${command}: ${message}\n`);
  } catch {
    /* the log is gone */
  }
  closeLogs(out, err);
  send({ type: 'error', id, message });
}

function start(request) {
  const { id, argv, cwd, stdout, stderr, gated, registerAs } = request;
  let out;
  let err;
  try {
    out = openLog(stdout);
    err = stderr === stdout ? out : openLog(stderr);
  } catch (e) {
    if (out !== undefined) closeSync(out);
    send({ type: 'error', id, message: `cannot open its log: ${e.message}` });
    return;
  }
  let child;
  try {
    child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: environment(request.env),
      detached: true, // own process group, so the whole job is measured and killed together
      stdio: gated ? ['ignore', out, err, 'pipe'] : ['ignore', out, err],
    });
  } catch (e) {
    failStart(id, argv[0], e.message, out, err);
    return;
  }
  if (child.pid === undefined) {
    // Not started (e.g. no such command): Node reports it as 'error', the log says so.
    child.on('error', (e) => failStart(id, argv[0], e.message, out, err));
    return;
  }
  const pid = child.pid;
  running.add(pid);
  const spawnedAt = performance.now();
  let registerError;
  if (registerAs) {
    try {
      register(registerAs, pid);
    } catch (e) {
      registerError = e.message;
      process.kill(-pid, 'SIGKILL');
    }
  }
  closeLogs(out, err);
  child.on('error', () => {}); // after a start, only a failed kill: the exit is still reported by 'close'
  child.on('close', (code, signal) => {
    running.delete(pid);
    gates.delete(id);
    send({ type: 'exit', id, code, signal, seconds: (performance.now() - spawnedAt) / 1000 });
  });
  if (gated) {
    const gate = child.stdio[3];
    gate.on('error', () => {}); // the gate already gone (killed): its exit is reported by 'close'
    gates.set(id, gate);
  }
  send({ type: 'spawned', id, pid, registerError });
}

function hear(message) {
  if (message.type === 'start') start(message);
  else if (message.type === 'go' || message.type === 'refuse') {
    const gate = gates.get(message.id);
    gates.delete(message.id);
    if (!gate) return;
    if (message.type === 'go') gate.end('go\n');
    else gate.destroy();
  }
}

process.on('message', (messages) => (Array.isArray(messages) ? messages.forEach(hear) : hear(messages)));
send({ type: 'ready', pid: process.pid });
