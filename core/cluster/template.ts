// Cluster-name templates: `{name}` placeholders filled from a value lookup (missing ones become empty), then the
// cleanup ctrl_bps applies: runs of '_' collapse to one, then '/' becomes '_'. Leading and trailing '_' stay, as in
// ctrl_bps (a single-quantum job without a detector is `<id>_consolidateVisitSummary_903334_`), so job names match.

export type ValueLookup = (key: string) => string | number | undefined;

export interface NameTemplate {
  readonly source: string;
  /** Placeholder names in order of appearance. */
  readonly keys: string[];
  render(get: ValueLookup): string;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.]*)(?::[^{}]*)?\}/g;

/**
 * ctrl_bps's order: collapse runs of '_' first, then replace '/' (so `a_/b` becomes `a__b`, as there). ctrl_bps
 * leaves '/' in single-quantum names; tbps replaces it there too, because job names become file names.
 */
export function cleanName(name: string): string {
  return name.replace(/_+/g, '_').replace(/\//g, '_');
}

export function compileNameTemplate(source: string): NameTemplate {
  const literals: string[] = [];
  const keys: string[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    literals.push(source.slice(last, m.index));
    keys.push(m[1]);
    last = m.index! + m[0].length;
  }
  literals.push(source.slice(last));
  return {
    source,
    keys,
    render(get: ValueLookup): string {
      let out = literals[0];
      for (let k = 0; k < keys.length; k++) {
        const v = get(keys[k]);
        if (v !== undefined) out += String(v);
        out += literals[k + 1];
      }
      return cleanName(out);
    },
  };
}

/** Makes names unique by appending _2, _3, ... to repeats (ctrl_bps stops with an error on a repeated cluster name). */
export class NameRegistry {
  private readonly used = new Set<string>();

  has(name: string): boolean {
    return this.used.has(name);
  }

  claim(name: string): string {
    if (!this.used.has(name)) {
      this.used.add(name);
      return name;
    }
    // A name ending in '_' (an empty trailing field) takes the number directly: t_1_ -> t_1_2.
    const stem = name.endsWith('_') ? name : `${name}_`;
    for (let k = 2; ; k++) {
      const alt = `${stem}${k}`;
      if (!this.used.has(alt)) {
        this.used.add(alt);
        return alt;
      }
    }
  }

  add(name: string): void {
    this.used.add(name);
  }
}
