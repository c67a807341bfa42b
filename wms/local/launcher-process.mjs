// The executor's launcher: a small Node process (plain JavaScript, no TypeScript loader, nothing else loaded) that
// starts job processes for the executor, which talks to it over Node's IPC channel. It exists because fork() costs
// in proportion to the forking process's memory: the executor (Temporal worker, store, ~200 MB) pays several ms
// of CPU per spawn in its own fork and in the child's exec; this process (~50 MB) pays a fraction of that.
// It runs nothing by itself: each `start` names the argv (already wrapped by the executor: parent-death prefix and
// gate), the working directory, the environment and the two log files (checked by the executor to lie under the
// run's directory; opened here without following a symlink in their last component, mode 0640). It reports
// `spawned` (pid), `error` (could not open a log or start) and `exit` (code, signal); `go` tells a gated job to run
// (fd 3, see runProcess's GATE). It ignores terminal signals and exits when the executor goes (end of the IPC
// channel, or the parent-death signal it was started under); its jobs then die with it (their own parent-death
// signal) and the executor's registry watchdog kills the rest of their groups.
import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, openSync, writeSync } from 'node:fs';

const LOG_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const LOG_MODE = 0o640;

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
  closeLogs(out, err);
  child.on('error', () => {}); // after a start, only a failed kill or IPC: the exit is still reported by 'close'
  child.on('close', (code, signal) => {
    gates.delete(id);
    send({ type: 'exit', id, code, signal });
  });
  if (gated) {
    const gate = child.stdio[3];
    gate.on('error', () => {}); // the gate already gone (killed): its exit is reported by 'close'
    gates.set(id, gate);
  }
  send({ type: 'spawned', id, pid: child.pid });
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
