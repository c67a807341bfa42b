// Reads the last bytes of a (possibly huge) log file without loading it whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `maxBytes` of a file and its size; a missing or unreadable file reads as absent. */
export function readTailInfo(file: string, maxBytes = 65536): { text: string; size: number; exists: boolean } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return { text: buf.toString('utf8'), size, exists: true };
  } catch {
    return { text: '', size: 0, exists: false };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function readTail(file: string, maxBytes = 65536): string {
  return readTailInfo(file, maxBytes).text;
}
