/**
 * What `track()` costs to turn a 12-property event into a message (property walk, Date → ISO
 * string, limits, tracking plan), without delivery: the consumer keeps nothing. Four cases,
 * interleaved within each round so that a busy machine slows them alike:
 *
 * - `track()` without a plan, and with the sample plan (`examples/plan/tracking-plan.yaml`,
 *   policy `'fix'`, the event valid);
 * - the same, with the consumer reading each message's `bytes`, which writes its JSON (as a
 *   batch consumer does in its intake).
 *
 * The measuring side (`serialize-runner.ts`) is bundled with esbuild and run by plain `node`, as
 * an installed package runs (a TypeScript loader would add its own wrappers to every closure).
 *
 * `npx tsx bench/serialize.ts [calls] [rounds]` (defaults 100000 and 7). Prints, per case, the
 * median µs/call over the rounds (wall clock and the runner's CPU time) with the range.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleScript } from './lib.js'

const calls = process.argv[2] ?? '100000'
const rounds = process.argv[3] ?? '7'
const plan = fileURLToPath(new URL('../examples/plan/tracking-plan.yaml', import.meta.url))
// Inside the project's node_modules, as an application's bundle sits beside its packages: loading
// a plan requires ajv and yaml at first use, which a bundle does not inline.
const outDir = mkdtempSync(fileURLToPath(new URL('../node_modules/.eventwire-bench-', import.meta.url)))
try {
  const runner = join(outDir, 'serialize-runner.mjs')
  await bundleScript(fileURLToPath(new URL('./serialize-runner.ts', import.meta.url)), runner)
  const result = spawnSync(process.execPath, [runner, calls, rounds, plan], { stdio: 'inherit' })
  if (result.status !== 0) process.exitCode = 1
} finally {
  rmSync(outDir, { recursive: true, force: true })
}
