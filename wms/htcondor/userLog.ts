// Incremental reader of an HTCondor user (event) log, e.g. a DAG's <dag>.nodes.log. Events are blocks ending in
// a line "...". Reads only what was appended since the last offset, so a poll costs O(new events).
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export interface LogEvent {
  code: number;
  cluster: number;
  proc: number;
  time: string;
  /** The whole block (header line and body). */
  text: string;
}

const HEADER = /^(\d{3}) \((\d+)\.(\d+)\.\d+\) (\S+ \S+) /;
const MAX_READ = 8 << 20;

/** Events appended after `offset`; the returned offset is just after the last complete event. */
export function readEvents(file: string, offset: number): { events: LogEvent[]; offset: number } {
  if (!existsSync(file)) return { events: [], offset };
  const size = statSync(file).size;
  if (size <= offset) return { events: [], offset: size < offset ? 0 : offset };
  const len = Math.min(size - offset, MAX_READ);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, len, offset);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8');
  const end = text.lastIndexOf('\n...\n');
  if (end < 0) return { events: [], offset };
  const usable = text.slice(0, end + 5);
  const events: LogEvent[] = [];
  for (const block of usable.split('\n...\n')) {
    const b = block.replace(/^\n+/, '');
    const m = HEADER.exec(b);
    if (!m) continue;
    events.push({ code: Number(m[1]), cluster: Number(m[2]), proc: Number(m[3]), time: m[4], text: b });
  }
  return { events, offset: offset + Buffer.byteLength(usable, 'utf8') };
}

/** "DAG Node: X" of a submit event. */
export function dagNode(e: LogEvent): string | undefined {
  return /DAG Node: (\S+)/.exec(e.text)?.[1];
}

/** Host of an execute event (the slot's machine, else the alias in the address). */
export function execHost(e: LogEvent): string | undefined {
  return /SlotName: \S+@(\S+)/.exec(e.text)?.[1] ?? /alias=([^&>]+)/.exec(e.text)?.[1];
}

/** Exit of a terminate (005) or evict-requeue (004) event. */
export function exitOf(e: LogEvent): { exitCode: number | null; signal: string | null } {
  const rv = /Normal termination \(return value (-?\d+)\)/.exec(e.text);
  if (rv) return { exitCode: Number(rv[1]), signal: null };
  const sig = /Abnormal termination \(signal (\d+)\)/.exec(e.text);
  if (sig) return { exitCode: null, signal: signalName(Number(sig[1])) };
  return { exitCode: null, signal: null };
}

/** Peak memory (MB) from the resource table of a terminate event. */
export function memoryUsage(e: LogEvent): number | null {
  const m = /Memory \(MB\)\s*:\s*(\d+)\s+\d+/.exec(e.text);
  return m ? Number(m[1]) : null;
}

/** The reason line of a hold (012) or abort (009) event. */
export function reason(e: LogEvent): string {
  const lines = e.text.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => !/^Code \d+ Subcode/.test(l)) ?? '';
}

/** The exit code in the reason of a non-zero exit hold ("exit code 3: held for the retry decision"). */
export function heldExitCode(e: LogEvent): number | null {
  const m = /exit code (-?\d+)/.exec(e.text);
  return m ? Number(m[1]) : null;
}

export function holdCodes(e: LogEvent): { code: number; subcode: number } {
  const m = /Code (\d+) Subcode (\d+)/.exec(e.text);
  return { code: m ? Number(m[1]) : 0, subcode: m ? Number(m[2]) : 0 };
}

/** The ISO time of an event (the log writes local time without zone; the pool runs on this machine). */
export function eventIso(e: LogEvent): string {
  const d = new Date(e.time.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };
function signalName(n: number): string {
  return SIGNALS[n] ?? `SIG${n}`;
}
