/**
 * Facts stamped into a compiled build. This committed version is what a
 * source checkout runs with; the compile task writes a copy with the commit.
 *
 * @module
 */

/** The git commit the executable was built from; undefined in a source checkout. */
export const BUILD_COMMIT: string | undefined = undefined;
