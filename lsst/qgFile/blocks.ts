// The JSON blocks of a pipe_base `.qg` file, decompressed. A `.qg` is a zip of zstd-compressed JSON blocks, with a
// trained zstd dictionary when the graph is large; Node 20 has no zstd, so lsst/qg_blocks.py (the stack's own
// `zstandard` module, no `lsst` import) decompresses the blocks asked for and streams them back framed as
// `NAME LENGTH\n<LENGTH bytes>`. Each block arrives into one preallocated buffer (no concatenation of chunks).
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../../core/errors.js';
import { repoRoot } from '../../paths/index.js';
import { lsstPython } from '../env.js';

export const QG_BLOCKS_SCRIPT = path.join(repoRoot, 'lsst', 'qg_blocks.py');

/** Parses the framed stream of qg_blocks.py as it arrives. */
class BlockFrames {
  readonly blocks = new Map<string, Buffer>();
  private headerBytes: number[] = [];
  private current: { name: string; data: Buffer; filled: number } | undefined;

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.current) {
        const take = Math.min(chunk.length - at, this.current.data.length - this.current.filled);
        chunk.copy(this.current.data, this.current.filled, at, at + take);
        this.current.filled += take;
        at += take;
        if (this.current.filled === this.current.data.length) {
          this.blocks.set(this.current.name, this.current.data);
          this.current = undefined;
        }
        continue;
      }
      const byte = chunk[at++];
      if (byte !== 0x0a) {
        if (this.headerBytes.length > 200) throw new Error('qg_blocks.py: malformed output (block header too long)');
        this.headerBytes.push(byte);
        continue;
      }
      const line = Buffer.from(this.headerBytes).toString('utf8');
      this.headerBytes = [];
      const match = /^(\w+) (\d+)$/.exec(line);
      if (!match) throw new Error(`qg_blocks.py: malformed output (block header ${JSON.stringify(line)})`);
      const length = Number(match[2]);
      if (length === 0) this.blocks.set(match[1], Buffer.alloc(0));
      else this.current = { name: match[1], data: Buffer.allocUnsafe(length), filled: 0 };
    }
  }

  finished(): boolean {
    return this.current === undefined && this.headerBytes.length === 0;
  }
}

/** Reads the named blocks (e.g. `header`, `pipeline_graph`, `thin_graph`) of a `.qg` file, decompressed. */
export async function readQgBlocks(file: string, names: string[], env: NodeJS.ProcessEnv = process.env): Promise<Map<string, Buffer>> {
  if (!existsSync(file)) throw new BadInputError('quantum-graph file not found or not readable', { file });
  if (!statSync(file).isFile()) throw new BadInputError('is not a file (give the path of a pipe_base .qg file)', { file });
  const python = lsstPython(env);
  if (!existsSync(python))
    throw new Error(`reading a pipe_base .qg needs the LSST stack's Python (${python} is missing); run 'npm run setup' (it makes .venv), or set TBPS_VENV`);
  const frames = new BlockFrames();
  const stderr: Buffer[] = [];
  const child = spawn(python, [QG_BLOCKS_SCRIPT, file, ...names], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, PYTHONDONTWRITEBYTECODE: '1' } });
  let parseError: Error | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    if (parseError) return;
    try {
      frames.push(chunk);
    } catch (err) {
      parseError = err as Error;
      child.kill();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const message = Buffer.concat(stderr).toString('utf8').trim().split('\n').pop() ?? '';
  if (exit.code === 2) {
    // qg_blocks.py names the file itself: "qg_blocks: <file>: <problem>"
    const problem = message.replace(/^qg_blocks: /, '').replace(`${file}: `, '');
    throw new BadInputError(`${problem}; expected a pipe_base .qg written by 'pipetask qgraph --save-qgraph'`, { file });
  }
  if (parseError) throw parseError;
  if (exit.code !== 0) throw new Error(`reading ${file} with ${QG_BLOCKS_SCRIPT} failed (exit ${exit.code ?? exit.signal}): ${message || 'no message'}`);
  if (!frames.finished()) throw new Error(`reading ${file}: qg_blocks.py ended in the middle of a block`);
  for (const name of names) if (!frames.blocks.has(name)) throw new Error(`reading ${file}: qg_blocks.py did not return block ${name}`);
  return frames.blocks;
}
