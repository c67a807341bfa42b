// Sharing a run's submit tree with the pool's user through a group, never through world access: when the jobs run
// as another user (the test pool's tbpsuser), the submit directory and everything tbps wrote in it are given to a
// share group (directories setgid, g+rx; files g+r), and the directories the pool writes (DAG directories, job
// log folders) are 2770. New files then inherit the group from their setgid directory and are 0640. The group is
// `htcondorShareGroup` (a name or a gid; 'none' turns sharing off), else TBPS_HTCONDOR_SHARE_GROUP, else the host
// group `tbps` when it exists (scripts/setup-htcondor.sh makes it), else nothing is shared: the jobs run as the
// submitting user, as on a site pool.
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../../core/errors.js';
import { chmodUnder, DIR_MODE, mkdirUnder, resolveUnder } from '../../core/files/confined.js';

/** The group a run's files are shared with the pool's user through. */
export interface ShareGroup {
  name: string;
  gid: number;
}

export const DEFAULT_SHARE_GROUP = 'tbps';
const SETGID = 0o2000;
/** Directories the pool's user writes into. */
export const SHARED_DIR_MODE = 0o2770;
/** Directories the pool's user reads. */
const READ_DIR_MODE = 0o2750;

/** Group entries of an /etc/group file: name -> gid. */
function readGroups(file: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gid !== undefined && /^\d+$/.test(gid)) out.set(name, Number(gid));
  }
  return out;
}

/**
 * The share group of a setting: a group name (looked up in `groupFile`), a numeric gid, or 'none'/'' for none.
 * Without a setting: the group `tbps` if it exists, else none. A named group that does not exist is bad input.
 */
export function resolveShareGroup(setting: string | undefined, opts: { key?: string; groupFile?: string } = {}): ShareGroup | undefined {
  const groups = readGroups(opts.groupFile ?? '/etc/group');
  const value = setting?.trim();
  if (value === undefined) {
    const gid = groups.get(DEFAULT_SHARE_GROUP);
    return gid === undefined ? undefined : { name: DEFAULT_SHARE_GROUP, gid };
  }
  if (value === '' || value.toLowerCase() === 'none') return undefined;
  if (/^\d+$/.test(value)) return { name: value, gid: Number(value) };
  const gid = groups.get(value);
  if (gid === undefined)
    throw new BadInputError(`no group '${value}' on this host; create it with the pool's user in it (scripts/setup-htcondor.sh makes 'tbps'), give a gid, or 'none' when the jobs run as the submitting user`, {
      key: opts.key ?? 'htcondorShareGroup',
    });
  return { name: value, gid };
}

function giveToGroup(target: string, group: ShareGroup): void {
  try {
    chownSync(target, -1, group.gid);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM')
      throw new Error(
        `cannot give '${target}' to the share group '${group.name}' (gid ${group.gid}): this user is not in it; add it (usermod -aG ${group.name} $USER, then log in again) or set htcondorShareGroup: none`,
      );
    throw err;
  }
}

/** Creates (if needed) a directory under `root` the pool's user writes into: the share group's, 2770. */
export function shareWritableDir(root: string, dir: string, group: ShareGroup): void {
  mkdirUnder(root, dir);
  giveToGroup(resolveUnder(root, dir), group);
  chmodUnder(root, dir, SHARED_DIR_MODE);
}

/**
 * Gives the submit tree to the share group once: every directory and file tbps owns there gets the group (dirs
 * 2750 at least, files g+r, nothing for others); files of other owners (the pool's own logs) are left alone. Already shared (the
 * submit directory has the group and its setgid bit): nothing to do, later files inherit the group.
 */
export function shareSubmitTree(submitPath: string, group: ShareGroup): void {
  const root = resolveUnder(submitPath, submitPath);
  const st = statSync(root);
  if (st.gid === group.gid && (st.mode & SETGID) !== 0) return;
  const uid = process.getuid?.();
  const walk = (p: string): void => {
    const s = lstatSync(p);
    if (s.isSymbolicLink() || (uid !== undefined && uid !== 0 && s.uid !== uid)) return;
    giveToGroup(p, group);
    if (s.isDirectory()) {
      chmodSync(p, (s.mode & 0o7770) | READ_DIR_MODE); // nothing for others
      for (const name of readdirSync(p)) walk(path.join(p, name));
    } else chmodSync(p, (s.mode & 0o770) | 0o040);
  };
  walk(root);
  openAncestors(root, group);
}

/**
 * The pool's user must traverse the directories above the submit directory that tbps created (e.g. submit/u/alice
 * of the default submitPath): each one with tbps's directory mode (0750) that this user owns gets the group and
 * g+x, up to the first one others may traverse. Directories of other modes (a 0700 home) are the user's: left alone.
 */
function openAncestors(root: string, group: ShareGroup): void {
  const uid = process.getuid?.();
  for (let d = path.dirname(root); d !== path.dirname(d); d = path.dirname(d)) {
    const s = statSync(d);
    if ((s.mode & 0o001) !== 0 || (s.gid === group.gid && (s.mode & 0o010) !== 0)) return;
    if ((uid !== undefined && s.uid !== uid) || (s.mode & 0o777) !== DIR_MODE) return;
    giveToGroup(d, group);
    chmodSync(d, (s.mode & 0o7777) | 0o010);
  }
}
