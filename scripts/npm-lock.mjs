// Checks on package-lock.json, for setup (scripts/setup.sh) and the lock-file test (tests/unit/npmLock.test.ts):
//   lockGaps         dependency edges the lock cannot resolve (e.g. other platforms' optional packages left out,
//                    which makes `npm ci` refuse the lock and `npm install` rewrite it);
//   manifestDrift    where the lock's root entry disagrees with package.json (`npm ci` refuses such a lock);
//   installedDrift   where node_modules (its record node_modules/.package-lock.json) differs from the lock, so setup
//                    runs `npm ci` only when the installed tree is missing or stale.
// `node scripts/npm-lock.mjs installed` exits 0 when node_modules is the locked tree, else prints why and exits 1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEPENDENCY_KINDS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/** The lock entry a package at `from` gets for `name`: node's lookup, from the nearest node_modules outwards. */
function resolveEntry(packages, from, name) {
  let dir = from;
  for (;;) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[key]) return key;
    if (!dir) return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

/** Edges `package -> dependency` with no entry in the lock (optional peers excepted: npm does not lock those). */
export function lockGaps(lock) {
  const packages = lock.packages ?? {};
  const gaps = [];
  for (const [key, entry] of Object.entries(packages)) {
    if (entry.link) continue;
    for (const kind of DEPENDENCY_KINDS) {
      for (const name of Object.keys(entry[kind] ?? {})) {
        if (kind === 'peerDependencies' && entry.peerDependenciesMeta?.[name]?.optional) continue;
        if (!resolveEntry(packages, key, name)) gaps.push(`${key || '(root)'} -> ${name} (${kind})`);
      }
    }
  }
  return gaps;
}

/** Fields of package.json that the lock's root entry repeats and that differ. */
export function manifestDrift(lock, manifest) {
  const root = lock.packages?.[''] ?? {};
  const drift = [];
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'bin']) {
    const want = JSON.stringify(Object.entries(manifest[field] ?? {}).sort());
    const have = JSON.stringify(Object.entries(root[field] ?? {}).sort());
    if (want !== have) drift.push(`${field}: package.json ${want} vs package-lock.json ${have}`);
  }
  return drift;
}

/**
 * Differences between the lock and what is installed (node_modules/.package-lock.json, which npm writes after an
 * install): a locked package missing (unless optional: other platforms' packages are not installed), a different
 * version or integrity, or an installed package the lock does not name.
 */
export function installedDrift(lock, installed) {
  const want = lock.packages ?? {};
  const have = installed?.packages ?? {};
  const drift = [];
  for (const [key, entry] of Object.entries(want)) {
    if (key === '') continue;
    const got = have[key];
    if (!got) {
      if (!entry.optional && !entry.devOptional) drift.push(`${key}: not installed`);
    } else if (got.version !== entry.version || got.integrity !== entry.integrity) {
      drift.push(`${key}: installed ${got.version}, locked ${entry.version}`);
    }
  }
  for (const key of Object.keys(have)) if (key !== '' && !want[key]) drift.push(`${key}: installed but not in the lock`);
  return drift;
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv[2] !== 'installed') {
    console.error(`npm-lock: argument 1: unknown check '${process.argv[2] ?? ''}'; expected: installed`);
    process.exit(2);
  }
  let installed;
  try {
    installed = readJson(path.join(ROOT, 'node_modules', '.package-lock.json'));
  } catch {
    console.log('node_modules is not installed (no node_modules/.package-lock.json)');
    process.exit(1);
  }
  const drift = installedDrift(readJson(path.join(ROOT, 'package-lock.json')), installed);
  if (drift.length > 0) {
    console.log(`node_modules differs from package-lock.json in ${drift.length} packages, e.g. ${drift.slice(0, 3).join('; ')}`);
    process.exit(1);
  }
  console.log('node_modules is the locked tree');
}
