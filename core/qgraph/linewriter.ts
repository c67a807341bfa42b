// Buffered, backpressure-aware text line writer for large JSON Lines files (graph files, generic-workflow job lists).

import type { WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createWriteStreamUnder } from '../files/confined.js';

export class LineWriter {
  private readonly stream: WriteStream;
  private buf: string[] = [];
  private bufChars = 0;
  private failure: Error | undefined;
  /** Bytes handed to the stream so far (UTF-8). */
  bytes = 0;
  lines = 0;

  constructor(
    readonly path: string,
    private readonly chunkChars = 1 << 16,
    /** The directory the file must stay under (core/files/confined.ts; default: its own directory). */
    root?: string,
  ) {
    this.stream = createWriteStreamUnder(root ?? dirname(path), path);
    this.stream.on('error', (e) => (this.failure = e));
  }

  /** Append one line (without its newline). Await the result: it resolves when the stream can take more. */
  write(line: string): Promise<void> | void {
    if (this.failure) throw this.failure;
    this.buf.push(line);
    this.bufChars += line.length + 1;
    this.lines++;
    if (this.bufChars >= this.chunkChars) return this.flush();
  }

  private flush(): Promise<void> | void {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.bufChars = 0;
    this.bytes += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) return this.drain();
  }

  private drain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onError = (e: Error) => done(e);
      this.stream.on('drain', onDrain);
      this.stream.on('error', onError);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }

  /** Close without caring about errors (used on an error path). */
  abort(): void {
    this.stream.destroy();
  }
}
