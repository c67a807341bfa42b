// CPU and memory slots of one executor worker. A job waits (its activity heartbeating) until its request fits;
// a request larger than the whole worker is clamped so it can still run alone.
import os from 'node:os';

export interface Capacity {
  cpus: number;
  memoryMb: number;
}

export function defaultCapacity(env: NodeJS.ProcessEnv = process.env): Capacity {
  const cpus = Number(env.TBPS_EXECUTOR_CPUS ?? os.cpus().length);
  const memoryMb = Number(env.TBPS_EXECUTOR_MEMORY_MB ?? Math.floor((os.totalmem() / 1048576) * 0.8));
  return { cpus, memoryMb };
}

type Release = () => void;
interface Request {
  cpus: number;
  mem: number;
}
interface Waiter extends Request {
  grant: (release: Release) => void;
}

export class ResourcePool {
  private freeCpus: number;
  private freeMem: number;
  private waiters: Waiter[] = [];

  constructor(readonly capacity: Capacity) {
    this.freeCpus = capacity.cpus;
    this.freeMem = capacity.memoryMb;
  }

  /** The release function when the request fits now (and nobody waits before it), else undefined. */
  tryAcquire(cpus: number, memMb: number): Release | undefined {
    const req = this.clamp(cpus, memMb);
    return this.waiters.length === 0 && this.fits(req) ? this.take(req) : undefined;
  }

  /** Resolves with a release function once the request fits. */
  acquire(cpus: number, memMb: number, signal?: AbortSignal): Promise<Release> {
    const req = this.clamp(cpus, memMb);
    if (this.waiters.length === 0 && this.fits(req)) return Promise.resolve(this.take(req));
    return new Promise<Release>((resolve, reject) => {
      const w: Waiter = { ...req, grant: resolve };
      this.waiters.push(w);
      signal?.addEventListener('abort', () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(signal.reason ?? new Error('aborted'));
        }
      });
    });
  }

  get free(): Capacity {
    return { cpus: this.freeCpus, memoryMb: this.freeMem };
  }

  private clamp(cpus: number, memMb: number): Request {
    return { cpus: Math.min(Math.max(cpus, 0), this.capacity.cpus), mem: Math.min(Math.max(memMb, 0), this.capacity.memoryMb) };
  }

  private fits(r: Request): boolean {
    return r.cpus <= this.freeCpus && r.mem <= this.freeMem;
  }

  /** Reserves synchronously and returns the (idempotent) release function. */
  private take(r: Request): Release {
    this.freeCpus -= r.cpus;
    this.freeMem -= r.mem;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.freeCpus += r.cpus;
      this.freeMem += r.mem;
      this.wake();
    };
  }

  private wake(): void {
    // First come, first served; smaller requests behind a big one go through when they fit.
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i];
      if (this.fits(w)) {
        this.waiters.splice(i, 1);
        w.grant(this.take(w));
      } else i++;
    }
  }
}
