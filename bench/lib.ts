/** Helpers shared by the benchmarks: a receiver in a child process, timing, tables. */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { build } from 'esbuild'

export interface ChildReceiver {
  origin: string
  count(): Promise<{ records: number; requests: number; bytes: number }>
  stop(): Promise<void>
}

/** Starts `bench/loopback-receiver.ts` in its own process. */
export async function startChildReceiver(): Promise<ChildReceiver> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./loopback-receiver.ts', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  const origin = `http://127.0.0.1:${line.toString().trim()}`
  return {
    origin,
    async count() {
      const res = await fetch(`${origin}/_count`)
      return (await res.json()) as { records: number; requests: number; bytes: number }
    },
    async stop() {
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

/** Prints rows as an aligned table. */
export function printTable(rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return
  const keys = Object.keys(rows[0]!)
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)))
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ')
  console.log(line(keys))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const row of rows) console.log(line(keys.map((k) => String(row[k]))))
}

/** A typical 12-property event, as used across the benchmarks. */
export function sampleProperties(i: number): Record<string, unknown> {
  return {
    plan: i % 3 === 0 ? 'pro' : 'free',
    country: 'DE',
    source: 'newsletter',
    path: `/projects/${i % 100}`,
    amount: (i % 500) / 10,
    items: i % 7,
    firstVisit: i % 2 === 0,
    beta: false,
    context: { app: 'web', version: '1.2.3', build: i % 10 },
    tags: ['a', 'b', String(i % 5)],
    at: new Date(1_700_000_000_000 + i),
    seq: i,
  }
}

/**
 * Bundles a benchmark script with esbuild into one ESM file run by plain `node`, as an installed
 * package would be, so CPU and memory figures are those of the code measured, not of a loader.
 */
export async function bundleScript(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // CommonJS dependencies in an ESM bundle need a require for Node's built-ins.
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
  })
}
