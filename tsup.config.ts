import { cpSync, readFileSync, rmSync } from 'node:fs'
import { defineConfig } from 'tsup'

/**
 * The package's entry points, read from the `exports` map of package.json: `.` is src/index.ts and
 * `./<name>` is src/<name>/index.ts, built to dist/<name>/index.{js,cjs,d.ts,d.cts}.
 */
function entryPoints(): Record<string, string> {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> }
  const entries: Record<string, string> = {}
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue // ./package.json and the plan schema are files
    if (subpath === '.') entries.index = 'src/index.ts'
    else entries[`${subpath.slice(2)}/index`] = `src/${subpath.slice(2)}/index.ts`
  }
  return entries
}

const entries = entryPoints()

export default defineConfig({
  // The CLI is built with the library so it shares its chunks instead of bundling a copy of its own.
  entry: { ...entries, 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  // Declarations for the entry points only (one pass writes both .d.ts and .d.cts).
  dts: { entry: entries },
  clean: true,
  target: 'node20',
  outDir: 'dist',
  // Shared chunks: one copy of each class, so `instanceof` works across subpaths.
  splitting: true,
  // `import.meta.url` in the CommonJS build (the collector locates its web page with it).
  shims: true,
  // `node:test` exists only with its prefix (eventwire/testing's store contract uses it).
  removeNodeProtocol: false,
  // No source maps in the package: the output is plain, unminified JavaScript, so stack traces
  // already point at readable code, and maps embedding the sources would triple the package.
  sourcemap: false,
  onSuccess: async () => {
    cpSync('src/collector/ui', 'dist/collector/ui', { recursive: true })
    // The bin is ESM (package.json "bin"); its CommonJS twin would only add weight.
    rmSync('dist/cli/main.cjs', { force: true })
  },
})
