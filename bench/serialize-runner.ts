/**
 * The measuring side of `bench/serialize.ts`, bundled by it with esbuild and run by plain `node`
 * (as an installed package runs): `node serialize-runner.mjs <calls> <rounds> <plan file>`.
 */
import { performance } from 'node:perf_hooks'
import { type EventConsumer, type Message, Mixpanel } from '../src/index.js'

const DISTINCT = 1000

/**
 * "Order completed" as the sample plan wants it: 12 properties (strings, numbers, a boolean, null,
 * a Date, a list of objects, a nested object). Each call gets its own object, as callers build them.
 */
function orderProperties(i: number): Record<string, unknown> {
  return {
    platform: 'server',
    app_version: '4.2.0',
    order_id: `5f0c7a52-8d2c-4b8e-9a51-${String(i).padStart(12, '0')}`,
    revenue: 49.9 + (i % 10),
    currency: 'EUR',
    coupon: null,
    completed_at: new Date(1_700_000_000_000 + i * 7),
    payment_method: 'card',
    first_order: i % 2 === 0,
    discount: 5,
    items: [
      { sku: 'A-1', quantity: 2, price: 19.95 },
      { sku: 'B-7', quantity: 1 + (i % 3), price: 10 },
    ],
    shipping: { method: 'express', country: 'DE' },
  }
}

/** A consumer that keeps nothing; with `render`, it reads each message's size (writing its JSON). */
function discard(render: boolean): EventConsumer & { bytes: number } {
  const done = Promise.resolve()
  return {
    bytes: 0,
    send(_endpoint, message: Message | readonly Message[]) {
      if (render) {
        for (const m of Array.isArray(message) ? message : [message as Message]) this.bytes += m.bytes
      }
      return done
    },
    flush: () => done,
    close: () => Promise.resolve({ sent: 0, failed: 0, dropped: 0, pending: 0 }),
  }
}

/** One measured case. */
export interface SerializeBenchResult {
  name: string
  /** Median wall-clock µs per call over the rounds, with the lowest and highest round. */
  us: { median: number; min: number; max: number }
  /** The same in CPU µs (user + system time of this process). */
  cpuUs: { median: number; min: number; max: number }
}

interface Case {
  name: string
  run: (i: number) => unknown
  wall: number[]
  cpu: number[]
}

function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! }
}

/** Runs the cases for `rounds` rounds of `calls` calls each; `planFile` is the sample plan. */
export async function benchSerialize(
  planFile: string,
  calls: number,
  rounds: number,
): Promise<SerializeBenchResult[]> {
  const inputs = Array.from({ length: DISTINCT }, (_, i) => orderProperties(i))
  let violations = 0
  const client = (plan: boolean, render: boolean) =>
    new Mixpanel('bench-token', {
      consumer: discard(render),
      logger: false,
      ...(plan ? { plan: planFile, planPolicy: 'fix' as const, onViolation: () => violations++ } : {}),
    })
  const cases: Case[] = []
  for (const plan of [false, true]) {
    for (const render of [false, true]) {
      const mp = client(plan, render)
      // A fresh copy of the properties per call: as callers do, and so nothing is cached on them.
      const run = (i: number) => mp.track('user-1', 'Order completed', { ...inputs[i % DISTINCT]! })
      cases.push({
        name: `track()${render ? ' + JSON' : ''}, ${plan ? 'with the sample plan' : 'no plan'}`,
        run,
        wall: [],
        cpu: [],
      })
    }
  }
  for (const c of cases) {
    for (let i = 0; i < 50_000; i++) await c.run(i)
  }
  if (violations > 0) throw new Error('the benchmark event does not follow the sample plan')
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      const cpuStart = process.cpuUsage()
      const start = performance.now()
      for (let i = 0; i < calls; i++) c.run(i)
      c.wall.push(((performance.now() - start) * 1000) / calls)
      const used = process.cpuUsage(cpuStart)
      c.cpu.push((used.user + used.system) / calls)
      // Let the resolved promises settle between cases.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return cases.map((c) => ({ name: c.name, us: spread(c.wall), cpuUs: spread(c.cpu) }))
}

const [calls, rounds, plan] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!]
const f = (r: { median: number; min: number; max: number }) =>
  `${r.median.toFixed(3)} (${r.min.toFixed(3)}–${r.max.toFixed(3)})`
for (const r of await benchSerialize(plan, calls, rounds)) {
  process.stdout.write(`${r.name.padEnd(38)} ${f(r.us)} µs/call wall, ${f(r.cpuUs)} µs/call CPU\n`)
}
