/**
 * Serverless functions are often shipped as one bundled file with no node_modules beside it.
 * eventwire loads undici when the first request is sent; bundled, that import must have been
 * followed by the bundler so that delivery works from the single file.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { startTestReceiver } from '../../src/testing/index.js'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'eventwire-bundle-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const entry = join(dir, 'app.ts')
writeFileSync(
  entry,
  `${[
    `import { Mixpanel } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)}`,
    'async function main() {',
    "  const mp = new Mixpanel('bundle-token', { apiHost: process.argv[2] })",
    "  await mp.track('user-1', 'Bundled', { n: 1 })",
    '  await mp.close()',
    "  console.log('delivered')",
    '}',
    'void main()',
  ].join('\n')}\n`,
)

for (const format of ['esm', 'cjs'] as const) {
  test(`bundled by esbuild (${format}), run with no node_modules: the event is delivered`, async () => {
    const outfile = join(dir, `app.${format === 'esm' ? 'mjs' : 'cjs'}`)
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format,
      target: 'node20',
      logLevel: 'error',
      // ESM bundles of CommonJS packages need a require for Node's built-ins (esbuild's advice).
      banner:
        format === 'esm'
          ? {
              js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
            }
          : undefined,
    })
    const receiver = await startTestReceiver()
    try {
      const { stdout } = await run(process.execPath, [outfile, receiver.origin], {
        cwd: dir,
        timeout: 60_000,
      })
      assert.equal(stdout.trim(), 'delivered')
      const records = receiver.delivered('/track')
      assert.equal(records.length, 1)
      assert.equal(records[0]!.event, 'Bundled')
    } finally {
      await receiver.close()
    }
  })
}
