/**
 * Which checks a run selects (`--grep`/`--grep-invert`), with no import: the CLI uses it for `--list`
 * without loading the checks, the in-process engine (scripts/engine.ts) to pick what it judges.
 *
 * @module
 */
/** A `--grep` pattern as Playwright reads it: `/re/flags`, or a case-insensitive regular expression. */
export function grepRegExp(pattern: string): RegExp {
  const m = /^\/(.*)\/([gimsuy]*)$/.exec(pattern);
  return m ? new RegExp(m[1] ?? '', (m[2] ?? '').replace('g', '')) : new RegExp(pattern, 'i');
}

/**
 * The checks `--grep`/`--grep-invert` select, in registry order: matched on the test title
 * (`<id>: <title>`) and the tags, as Playwright matches a test (so both engines run the same set).
 */
export function selectChecks<C extends { testTitle: string; tags: readonly string[] }>(checks: readonly C[], opts: { grep?: string | undefined; grepInvert?: string | undefined }): C[] {
  const grep = opts.grep ? grepRegExp(opts.grep) : undefined;
  const invert = opts.grepInvert ? grepRegExp(opts.grepInvert) : undefined;
  return checks.filter((c) => {
    const text = `${c.testTitle} ${c.tags.join(' ')}`;
    return (!grep || grep.test(text)) && !invert?.test(text);
  });
}
