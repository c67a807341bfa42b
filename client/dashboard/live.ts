// Live updates. A page names a topic (what it shows: `store`, `campaigns:<days>`, `campaign:<name>`); the hub
// computes each watched topic's cheap version once a tick (not once per browser) and sends every subscriber
// `{at, v}`. A page whose version moved re-fetches its content. When a version cannot be computed (e.g. Temporal is
// down for a campaign view) subscribers get a `problem` event instead, so their "data as of" stamp stops and turns
// red.
import { campaignVersion, campaignsVersion, storeVersion, type ServiceContext } from '../services/index.js';

export type Send = (event: 'tick' | 'problem', data: Record<string, unknown>) => void;

const TOPIC = /^(store|campaigns:\d{1,5}|campaign:[A-Za-z0-9][A-Za-z0-9_-]{0,200})$/;
export const MAX_TOPICS = 64;
export const MAX_SUBSCRIBERS = 256;

export function isTopic(s: string): boolean {
  return TOPIC.test(s);
}

/** The version of a topic: the store's change counter, plus the Temporal side for campaign views. */
export async function topicVersion(ctx: ServiceContext, topic: string): Promise<string> {
  const store = await storeVersion(ctx);
  if (topic === 'store') return store;
  if (topic.startsWith('campaigns:')) return `${store}|${await campaignsVersion(ctx, Number(topic.slice('campaigns:'.length)))}`;
  if (topic.startsWith('campaign:')) return `${store}|${await campaignVersion(ctx, topic.slice('campaign:'.length))}`;
  throw new Error(`unknown topic '${topic}'`);
}

interface TopicState {
  subscribers: Set<Send>;
  busy: boolean;
}

export class LiveHub {
  #topics = new Map<string, TopicState>();
  #timer: NodeJS.Timeout;
  #subscribers = 0;

  constructor(
    private readonly ctx: ServiceContext,
    tickMs = 1000,
  ) {
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  /** Adds a subscriber; returns its unsubscribe function, or a reason when the hub is full. */
  subscribe(topic: string, send: Send): (() => void) | string {
    if (this.#subscribers >= MAX_SUBSCRIBERS) return `too many live connections (${MAX_SUBSCRIBERS})`;
    let t = this.#topics.get(topic);
    if (!t) {
      if (this.#topics.size >= MAX_TOPICS) return `too many live topics (${MAX_TOPICS})`;
      t = { subscribers: new Set(), busy: false };
      this.#topics.set(topic, t);
    }
    t.subscribers.add(send);
    this.#subscribers++;
    void this.#update(topic, t);
    return () => {
      if (t.subscribers.delete(send)) this.#subscribers--;
      if (t.subscribers.size === 0) this.#topics.delete(topic);
    };
  }

  get subscribers(): number {
    return this.#subscribers;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#topics.clear();
    this.#subscribers = 0;
  }

  #tick(): void {
    for (const [topic, t] of this.#topics) void this.#update(topic, t);
  }

  async #update(topic: string, t: TopicState): Promise<void> {
    if (t.busy) return;
    t.busy = true;
    try {
      const v = await topicVersion(this.ctx, topic);
      const at = new Date().toISOString();
      for (const send of t.subscribers) send('tick', { at, v });
    } catch (err) {
      const at = new Date().toISOString();
      for (const send of t.subscribers) send('problem', { at, message: (err as Error).message });
    } finally {
      t.busy = false;
    }
  }
}
