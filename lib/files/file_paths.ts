/**
 * Which file a transaction works on: the path given, resolved through its
 * symlinks (chains included, the last one possibly dangling) to the real file
 * that is locked, read and replaced, and the directory its lock file and
 * temporary files go in. Path arithmetic for Unix and Windows separators.
 *
 * @module
 */
import { FileError } from "../core/errors.ts";
import { describeCause, describeTarget, readError } from "./file_errors.ts";
import type { SafeFileOs } from "./safe_file_os.ts";

/** Symlinks followed before giving up (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

/** Everything a transaction knows about its file. */
export interface Target {
  /** The path given. */
  readonly path: string;
  /** The real file behind `path` (symlinks resolved), existing or not. */
  readonly realPath: string;
  /** The real file's directory, and its name in it. */
  readonly dir: string;
  readonly base: string;
  readonly os: SafeFileOs;
  readonly signal?: AbortSignal;
}

/** The {@link Target} of `path`: its symlinks resolved, split into directory and name. */
export async function resolveTarget(
  path: string,
  os: SafeFileOs,
  signal?: AbortSignal,
): Promise<Target> {
  const realPath = await resolveRealPath(path, os);
  const [dir, base] = splitPath(realPath, os.platform === "windows");
  return { path, realPath, dir, base, os, signal };
}

/** A file beside the target, e.g. its lock file `.credentials.awsmfa.lock`. */
export function siblingPath(target: Target, name: string): string {
  return joinPath(target.dir, name, target.os.platform === "windows");
}

/** Information about the real file, or `null` when missing; refuses what is not a file. */
export async function statTarget(target: Target): Promise<Deno.FileInfo | null> {
  let info: Deno.FileInfo | null;
  try {
    info = await target.os.lstat(target.realPath);
  } catch (error) {
    throw readError(target.path, target.realPath, error);
  }
  if (info && !info.isFile) {
    throw new FileError(`${describeTarget(target)} is not a regular file.`, {
      fix: "Point awsmfa at a regular file (check the path with ls -l).",
    });
  }
  return info;
}

/**
 * Resolves symlinks, chains included, even when the last link dangles: the
 * result is the path of the file to read and replace, existing or not.
 */
async function resolveRealPath(path: string, os: SafeFileOs): Promise<string> {
  const windows = os.platform === "windows";
  if (path === "") {
    throw new FileError("The file path is empty.", { fix: "Give the path of a file." });
  }
  let current = isAbsolute(path, windows) ? path : joinPath(os.cwd(), path, windows);
  let followedLink = false;
  try {
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      try {
        return await os.realPath(current);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      const info = await os.lstat(current);
      const [dir, base] = splitPath(current, windows);
      if (info?.isSymlink) {
        const link = await os.readLink(current);
        current = isAbsolute(link, windows) ? link : joinPath(dir, link, windows);
        followedLink = true;
        continue;
      }
      try {
        return joinPath(await os.realPath(dir), base, windows);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      if (!followedLink) return current; // A missing file in a missing directory: both created.
      throw new FileError(
        `${path} is a symbolic link to ${current}, whose directory ${dir} does not exist.`,
        { fix: `Create ${dir}, or point the link at an existing directory, and run again.` },
      );
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`Cannot resolve ${path}: ${describeCause(error)}.`, {
      fix: "Check the path and its symbolic links (ls -l) and run again.",
      cause: error,
    });
  }
  throw new FileError(`${path} is a chain of more than ${MAX_SYMLINK_HOPS} symbolic links.`, {
    fix: "The links probably form a loop; point them at a regular file (check with ls -l).",
  });
}

function isAbsolute(path: string, windows: boolean): boolean {
  return path.startsWith("/") || (windows && /^([A-Za-z]:[\\/]|\\)/.test(path));
}

/** Splits a path into its directory and its last component. */
function splitPath(path: string, windows: boolean): [string, string] {
  const at = windows
    ? Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
    : path.lastIndexOf("/");
  if (at < 0) return [".", path];
  let dir = path.slice(0, at);
  if (dir === "" || (windows && /^[A-Za-z]:$/.test(dir))) dir = path.slice(0, at + 1);
  return [dir, path.slice(at + 1)];
}

function joinPath(dir: string, name: string, windows: boolean): string {
  const last = dir.at(-1);
  if (last === "/" || (windows && last === "\\")) return dir + name;
  // On Windows, keep to the separator the directory already uses.
  const backslash = windows && (dir.includes("\\") || !dir.includes("/"));
  return dir + (backslash ? "\\" : "/") + name;
}
