// Whole-number command-line options (ports, limits): a value that is not one is a UsageError naming the option and
// what a good value looks like (exit 2), checked before anything is started or stopped.
import { UsageError } from './exit.js';

/** A TCP port, 1-65535. */
export function portOption(text: string, option: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`${option}: expected a port number (1-65535), got '${text}'`);
  return port;
}

/** A whole number of at least `min`. */
export function countOption(text: string, option: string, min = 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) throw new UsageError(`${option}: expected a whole number >= ${min}, got '${text}'`);
  return n;
}
