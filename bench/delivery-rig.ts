/**
 * What the delivery benchmarks share: the runner and the receiver bundled with esbuild (run by
 * plain `node`, as an installed package would be), the receiver started in its own process, and
 * the receiver's counters.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleScript } from './lib.js'

/** What the receiver counted since its last reset. */
export interface Count {
  requests: number
  bytes: number
  records: number
  /** Distinct `$insert_id`s. */
  unique: number
}

/** What a runner process reports (its last stdout line). */
export interface Figures {
  wallMs: number
  cpuMs: number
  peakRssMb: number
  trackUsPerCall?: number
  /** µs per call over the calls after the first 10,000 (V8 has optimised the code by then). */
  trackUsWarm?: number
}

/** The bundled runner, a receiver in its own process, and how to reach both. */
export interface DeliveryRig {
  readonly origin: string
  /** The bundled `batch-runner` script. */
  readonly runner: string
  /** `POST /_reset` or `GET /_count` on the receiver. */
  receiver(path: '/_reset' | '/_count'): Promise<Count>
  stop(): Promise<void>
}

/** Bundles `batch-runner.ts` and `batch-receiver.ts` and starts the receiver. */
export async function startDeliveryRig(): Promise<DeliveryRig> {
  const outDir = mkdtempSync(join(tmpdir(), 'eventwire-bench-'))
  for (const name of ['batch-runner', 'batch-receiver']) {
    await bundleScript(new URL(`./${name}.ts`, import.meta.url).pathname, join(outDir, `${name}.mjs`))
  }
  const child: ChildProcess = spawn(process.execPath, [join(outDir, 'batch-receiver.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  const origin = `http://127.0.0.1:${line.toString().trim()}`
  return {
    origin,
    runner: join(outDir, 'batch-runner.mjs'),
    async receiver(path) {
      const res = await fetch(`${origin}${path}`, { method: path === '/_reset' ? 'POST' : 'GET' })
      return (await res.json()) as Count
    },
    async stop() {
      child.kill('SIGTERM')
      await once(child, 'exit')
      rmSync(outDir, { recursive: true, force: true })
    },
  }
}
