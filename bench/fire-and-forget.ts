/**
 * Fire-and-forget delivery with default options, the way services call `track()`: 100,000
 * twelve-property events tracked without awaiting, in chunks of 200 with a `setImmediate` between
 * chunks, then `close()`; beside a raw `node:http` keep-alive baseline doing the same in the same
 * run (50 events per request, 4 in flight, an unbounded queue). Rows: `BatchConsumer` with default
 * options, and the default client (its per-call `Consumer`).
 *
 * Then the crash half: the same workload with 20,000 events, the process SIGKILLing itself right
 * after the 10,000th `track()`; how many of those 10,000 had already arrived shows whether
 * delivery keeps pace with intake.
 *
 * Runner and receiver are bundled with esbuild and run by plain `node`, each in its own process.
 * `npx tsx bench/fire-and-forget.ts [events] [rounds]` (defaults 100000 and 5). Reports the median
 * and the range of every figure over the rounds.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { type Count, type Figures, startDeliveryRig } from './delivery-rig.js'
import { printTable } from './lib.js'

const events = Number(process.argv[2] ?? 100_000)
const rounds = Number(process.argv[3] ?? 5)
const KILL_TOTAL = 20_000
const KILL_AT = 10_000
const TARGETS = { ratio: 0.8, cpu: 1.3, rssMb: 150, trackUs: 2, arrived: 0.9 }

const rig = await startDeliveryRig()

/** Runs one role in a fresh process; resolves with its figures (undefined when it was killed). */
async function runRole(
  role: string,
  count: number,
  env: Record<string, string> = {},
): Promise<{ figures: Figures | undefined; count: Count }> {
  await rig.receiver('/_reset')
  const child = spawn(process.execPath, [rig.runner, role, rig.origin, String(count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
  if (env.KILL_AT === undefined && code !== 0) throw new Error(`${role} exited with ${code ?? signal}`)
  // Requests fully sent before the kill are still being read by the receiver.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const figures = out.trim() === '' ? undefined : (JSON.parse(out.trim().split('\n').pop()!) as Figures)
  return { figures, count: await rig.receiver('/_count') }
}

const roles: Array<[string, string]> = [
  ['node:http baseline', 'ff-baseline'],
  ['BatchConsumer (defaults)', 'ff-batch'],
  ['default client (Consumer)', 'ff-client'],
]

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const range = (values: number[], digits = 0) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`

const throughput = new Map<
  string,
  Array<{ eps: number; cpuS: number; rss: number; track: number; warm: number; lost: number }>
>()
const arrived = new Map<string, number[]>()
try {
  for (let round = 0; round < rounds; round++) {
    for (const [label, role] of roles) {
      const { figures, count } = await runRole(role, events)
      const list = throughput.get(label) ?? []
      list.push({
        eps: count.unique / (figures!.wallMs / 1000),
        cpuS: figures!.cpuMs / 1000,
        rss: figures!.peakRssMb,
        track: figures!.trackUsPerCall ?? 0,
        warm: figures!.trackUsWarm ?? 0,
        lost: events - count.unique,
      })
      throughput.set(label, list)
    }
    for (const [label, role] of roles) {
      const { count } = await runRole(role, KILL_TOTAL, { KILL_AT: String(KILL_AT) })
      const list = arrived.get(label) ?? []
      list.push(Math.min(count.unique, KILL_AT) / KILL_AT)
      arrived.set(label, list)
    }
  }
} finally {
  await rig.stop()
}

const base = throughput.get(roles[0]![0])!
const rows = roles.map(([label]) => {
  const list = throughput.get(label)!
  // Each round against the baseline run of the same round.
  const ratios = list.map((r, i) => r.eps / base[i]!.eps)
  const cpuRatios = list.map((r, i) => r.cpuS / base[i]!.cpuS)
  const kill = arrived.get(label)!
  return {
    run: label,
    lost: list.map((r) => r.lost).join('/'),
    'events/s': `${Math.round(median(list.map((r) => r.eps)))} (${range(list.map((r) => r.eps))})`,
    '× baseline': `${median(ratios).toFixed(2)} (${range(ratios, 2)})`,
    'CPU s': `${median(list.map((r) => r.cpuS)).toFixed(2)} (${range(
      list.map((r) => r.cpuS),
      2,
    )})`,
    'CPU × baseline': `${median(cpuRatios).toFixed(2)} (${range(cpuRatios, 2)})`,
    'peak RSS MB': `${Math.round(median(list.map((r) => r.rss)))} (${range(list.map((r) => r.rss))})`,
    'track() µs/call': `${median(list.map((r) => r.track)).toFixed(2)} (${range(
      list.map((r) => r.track),
      2,
    )})`,
    'after 10,000 calls': `${median(list.map((r) => r.warm)).toFixed(2)} (${range(
      list.map((r) => r.warm),
      2,
    )})`,
    'arrived at SIGKILL': `${(median(kill) * 100).toFixed(1)}% (${range(
      kill.map((k) => k * 100),
      1,
    )})`,
  }
})
console.log(
  `\n## Fire-and-forget, default options (${events} events, chunks of 200; SIGKILL after ${KILL_AT} of ${KILL_TOTAL}), median (range) of ${rounds} rounds\n`,
)
printTable(rows)
console.log(
  `\nTargets for eventwire: 0 lost; ≥ ${TARGETS.ratio}× the baseline's events/s; CPU ≤ ${TARGETS.cpu}× the baseline's; ` +
    `peak RSS ≤ ${TARGETS.rssMb} MB; track() ≤ ${TARGETS.trackUs} µs/call; ≥ ${TARGETS.arrived * 100}% arrived at SIGKILL.`,
)
