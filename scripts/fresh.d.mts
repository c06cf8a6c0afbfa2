/** The record scripts/build.ts writes to `.tmp/build/current.json`. */
export interface CurrentBuild {
  dir: string;
  /** The spec files (entry points): a new or removed spec changes the build too. */
  specs: string[];
  inputs: [path: string, size: number, mtimeMs: number][];
}

/** Where scripts/build.ts records the current build. */
export function currentBuildFile(root: string): string;

export function currentBuild(root: string, outputs: readonly string[]): CurrentBuild | undefined;
