// Tracking-plan overhead: microseconds per enforcer.event() call.
// Run: npx tsx bench/plan.ts        (target: ≤ 1 µs for a valid 12-property event)
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { JsonObject } from '../src/message/index.js'
import { createPlanEnforcer, loadPlan } from '../src/plan/index.js'

const SAMPLE = fileURLToPath(new URL('../examples/plan/tracking-plan.yaml', import.meta.url))

/** A typical valid "Order completed" event: 12 properties, a list of objects and a nested object. */
const VALID: JsonObject = {
  platform: 'server',
  app_version: '4.2.0',
  order_id: '5f0c7a52-8d2c-4b8e-9a51-0a3c2f1e9b11',
  revenue: 49.9,
  currency: 'EUR',
  coupon: null,
  completed_at: '2024-05-01T10:00:00.000Z',
  payment_method: 'card',
  first_order: true,
  discount: 5,
  items: [
    { sku: 'A-1', quantity: 2, price: 19.95 },
    { sku: 'B-7', quantity: 1, price: 10 },
  ],
  shipping: { method: 'express', country: 'DE' },
}

/** The same event with three repairable mistakes (name case, a string number, an enum's case). */
const FIXABLE: JsonObject = { ...VALID, revenue: '49.90', payment_method: 'Card' }

/** One measured case. */
export interface PlanBenchResult {
  name: string
  /** Median wall-clock microseconds per call over the rounds. */
  usPerCall: number
  /**
   * Median CPU microseconds per call (user + system time of this process): on a shared machine
   * this leaves out time spent running other processes.
   */
  cpuUsPerCall: number
  calls: number
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!

function measure(name: string, fn: () => unknown, calls: number, rounds = 5): PlanBenchResult {
  for (let i = 0; i < Math.min(calls, 50_000); i++) fn()
  const wall: number[] = []
  const cpu: number[] = []
  for (let r = 0; r < rounds; r++) {
    const cpuStart = process.cpuUsage()
    const start = performance.now()
    for (let i = 0; i < calls; i++) fn()
    wall.push(((performance.now() - start) * 1000) / calls)
    const used = process.cpuUsage(cpuStart)
    cpu.push((used.user + used.system) / calls)
  }
  return { name, usPerCall: median(wall), cpuUsPerCall: median(cpu), calls: calls * rounds }
}

/** Runs the plan benchmarks (a few seconds at most) and returns the results. */
export function benchPlan(): PlanBenchResult[] {
  const loadStart = performance.now()
  const plan = loadPlan(SAMPLE)
  const loadMs = performance.now() - loadStart
  const enforcer = createPlanEnforcer(plan, { policy: 'fix' })
  const valid = enforcer.event('Order completed', VALID)
  if (valid.action !== 'send' || valid.issues.length !== 0)
    throw new Error('the benchmark event is not valid')
  let sink = 0
  const results = [
    measure(
      'event() valid, 12 properties',
      () => {
        sink += enforcer.event('Order completed', VALID).issues.length
      },
      200_000,
    ),
    measure(
      'event() fixed: name case, number string, enum case',
      () => {
        sink += enforcer.event('order completed', FIXABLE).issues.length
      },
      20_000,
    ),
    measure(
      "people('$set') valid, 4 properties",
      () => {
        sink += enforcer.people('$set', {
          plan: 'pro',
          logins: 3,
          used_ios_app: true,
          $email: 'a@example.com',
        }).issues.length
      },
      200_000,
    ),
  ]
  results.push({
    name: 'loadPlan() of the sample plan, once',
    usPerCall: loadMs * 1000,
    cpuUsPerCall: Number.NaN,
    calls: 1,
  })
  if (sink < 0) throw new Error('unreachable')
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of benchPlan()) {
    const value =
      r.calls === 1
        ? `${(r.usPerCall / 1000).toFixed(1)} ms`
        : `${r.usPerCall.toFixed(3)} µs/call wall, ${r.cpuUsPerCall.toFixed(3)} µs/call CPU (${r.calls} calls)`
    process.stdout.write(`${r.name.padEnd(52)} ${value}\n`)
  }
}
