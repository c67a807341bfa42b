// Reads the last bytes of a (possibly huge) log file without loading it whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export function readTail(file: string, maxBytes = 65536): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
