// Deterministic UUID-shaped ids from a seeded 128-bit string hash (for synthetic graphs: same options -> same ids).

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A version-4-formatted UUID string derived only from (seed, text). */
export function seededUuid(seed: number, text: string): string {
  let h1 = 0x9e3779b9 ^ seed;
  let h2 = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let h3 = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35);
  let h4 = 0x6a09e667 ^ Math.imul(seed, 0x27d4eb2f);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x5bd1e995) ^ c;
    h3 = Math.imul(h3 ^ (c << 7), 0x27d4eb2d);
    h4 = Math.imul((h4 ^ c) + h1, 0x165667b1);
  }
  h1 += h2 + h3 + h4;
  h2 += h1;
  h3 += h1;
  h4 += h1;
  const a = fmix(h1 ^ text.length);
  const b = fmix(h2 + a);
  const c = fmix(h3 + b);
  const d = fmix(h4 + c);
  const s = hex8(a) + hex8(b) + hex8(c) + hex8(d);
  const variant = ((parseInt(s[16], 16) & 0x3) | 0x8).toString(16);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
}
