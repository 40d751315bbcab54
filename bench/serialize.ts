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
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const calls = process.argv[2] ?? '100000'
const rounds = process.argv[3] ?? '7'
const plan = fileURLToPath(new URL('../examples/plan/tracking-plan.yaml', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'eventwire-bench-'))
try {
  const runner = join(outDir, 'serialize-runner.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./serialize-runner.ts', import.meta.url))],
    outfile: runner,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
  })
  const result = spawnSync(process.execPath, [runner, calls, rounds, plan], { stdio: 'inherit' })
  if (result.status !== 0) process.exitCode = 1
} finally {
  rmSync(outDir, { recursive: true, force: true })
}
