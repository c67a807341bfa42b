// The executor's launcher: a small Node process (plain JavaScript, no TypeScript loader, nothing else loaded) that
// starts job processes for the executor, which talks to it over Node's IPC channel. It exists because fork() costs
// in proportion to the forking process's memory: the executor (Temporal worker, store, ~200 MB) pays several ms
// of CPU per spawn in its own fork and in the child's exec; this process (~50 MB) pays a fraction of that.
// It runs nothing by itself: each `start` names the argv (already wrapped by the executor: parent-death prefix and
// gate), the working directory, the environment and the two log files (checked by the executor to lie under the
// run's directory; opened here without following a symlink in their last component, mode 0640). A gated job is
// let run (`go` on its fd 3, see runProcess's GATE) once it is registered: here, when the request says where
// (`registerAs`: the executor's registry directory and the job's fields; the file format is jobGroups.ts's), else
// when the executor says `go`. It reports `spawned` (pid, and whether the registration failed: then the job exits
// unrun), `error` (could not open a log or start) and `exit` (code, signal, seconds since the spawn). It ignores terminal signals and exits when the executor goes (end of the IPC
// channel, or the parent-death signal it was started under); its jobs then die with it (their own parent-death
// signal) and the executor's registry watchdog kills the rest of their groups.
import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

const LOG_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const LOG_MODE = 0o640;
const REGISTRY_MODE = 0o600;

/** Gated children waiting for `go`, by request id: their fd 3. */
const gates = new Map();

for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(signal, () => {});
process.on('disconnect', () => process.exit(0));

function send(message) {
  if (process.connected) process.send(message);
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

function start(request) {
  const { id, argv, cwd, env, stdout, stderr, gated } = request;
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
      env,
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
  const spawnedAt = performance.now();
  closeLogs(out, err);
  child.on('error', () => {}); // after a start, only a failed kill or IPC: the exit is still reported by 'close'
  child.on('close', (code, signal) => {
    gates.delete(id);
    send({ type: 'exit', id, code, signal, seconds: (performance.now() - spawnedAt) / 1000 });
  });
  let registerError;
  if (gated) {
    const gate = child.stdio[3];
    gate.on('error', () => {}); // the gate already gone (killed): its exit is reported by 'close'
    if (!request.registerAs) gates.set(id, gate);
    else {
      try {
        register(request.registerAs, child.pid);
        gate.end('go\n');
      } catch (e) {
        registerError = e.message;
        gate.destroy();
      }
    }
  }
  send({ type: 'spawned', id, pid: child.pid, registerError });
}

/** The job's registry file (jobGroups.ts's format: the group id, then the job as JSON), written before it may run. */
function register({ dir, fields }, pid) {
  const file = path.join(dir, `${pid}.job`);
  writeFileSync(file, `${pid}\n${JSON.stringify({ pgid: pid, ...fields })}\n`, { mode: REGISTRY_MODE });
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

function closeLogs(out, err) {
  closeSync(out);
  if (err !== out) closeSync(err);
}

process.on('message', (message) => {
  if (message.type === 'start') start(message);
  else if (message.type === 'go' || message.type === 'refuse') {
    const gate = gates.get(message.id);
    gates.delete(message.id);
    if (!gate) return;
    if (message.type === 'go') gate.end('go\n');
    else gate.destroy();
  }
});
send({ type: 'ready', pid: process.pid });
