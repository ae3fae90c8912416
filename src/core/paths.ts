/**
 * Confinement: where a path really leads once symbolic links are resolved, and whether it stays
 * inside a root. Every path read or written from experiment content (datasets, run folders,
 * outputs) is checked with these, so a link inside the workspace cannot lead outside it.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * `path` with every symbolic link resolved, also when its last parts do not exist yet (a file
 * about to be written, a dangling link): confinement is decided on where the bytes really go.
 */
export function realPath(path: string, linksFollowed = 0): string {
  const abs = resolve(path);
  try {
    return realpathSync.native(abs);
  } catch {
    // A missing tail, a dangling link or a loop: resolve the parent and look at this part.
  }
  const parent = dirname(abs);
  if (parent === abs || linksFollowed > 40) return abs;
  const here = join(realPath(parent, linksFollowed), basename(abs));
  try {
    if (lstatSync(here).isSymbolicLink()) return realPath(resolve(dirname(here), readlinkSync(here)), linksFollowed + 1);
  } catch {
    // Does not exist: nothing to follow.
  }
  return here;
}

/** True when `path` lies strictly inside `root` (compare real paths to take links into account). */
export function isStrictlyInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

/**
 * Why `absPath` (written `shown` by the user) is not inside `root`, or undefined when it is:
 * first as written, then with symbolic links resolved on both sides, so a link inside the
 * workspace cannot lead a read or a write outside it. The message names only paths, never
 * content of the file.
 */
export function confinementProblem(root: string, absPath: string, shown: string): string | undefined {
  if (!isStrictlyInside(root, absPath)) return `"${shown}" resolves to ${absPath}, outside the workspace root ${root}`;
  const real = realPath(absPath);
  if (!isStrictlyInside(realPath(root), real)) return `"${shown}" resolves to ${real} through a symbolic link, outside the workspace root ${root}`;
  return undefined;
}
