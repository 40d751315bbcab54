// Local flag evaluation speed: eventwire's evaluator against the official `mixpanel` npm package's
// local evaluator, on the same definitions and the same 10,000 users.
// Run: npx tsx bench/flags.ts   (about 15 s; each case runs for a fixed time)
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { type FlagContext, type FlagDefinition, LocalFlagsProvider } from '../src/flags/index.js'

/** One measured case. */
export interface FlagsBenchRow {
  case: string
  implementation: 'eventwire' | 'mixpanel (npm)'
  /** Evaluations per second of wall-clock time. */
  evaluationsPerSecond: number
  /** Evaluations per second of the process's CPU time. */
  evaluationsPerCpuSecond: number
}

interface OfficialLocalFlags {
  flagDefinitions: Map<string, FlagDefinition>
  getVariant(
    key: string,
    fallback: { variant_value: unknown },
    context: FlagContext,
    report: boolean,
  ): unknown
}

const SIMPLE: FlagDefinition = {
  id: '1',
  name: 'New checkout',
  key: 'new-checkout',
  status: 'enabled',
  project_id: 1,
  context: 'distinct_id',
  experiment_id: 'exp-1',
  is_experiment_active: true,
  hash_salt: '5c1d6a0e2f',
  ruleset: {
    variants: [
      { key: 'control', value: false, is_control: true, split: 0 },
      { key: 'on', value: true, is_control: false, split: 1 },
    ],
    rollout: [{ rollout_percentage: 0.5 }],
  },
}

const EXPERIMENT: FlagDefinition = {
  id: '2',
  name: 'Pricing page',
  key: 'pricing-page',
  status: 'enabled',
  project_id: 1,
  context: 'distinct_id',
  hash_salt: '9b8e7d',
  ruleset: {
    variants: [
      { key: 'a', value: 'control', is_control: true, split: 0.34 },
      { key: 'b', value: { layout: 'grid' }, is_control: false, split: 0.33 },
      { key: 'c', value: { layout: 'list' }, is_control: false, split: 0.33 },
    ],
    rollout: [
      { rollout_percentage: 1, runtime_evaluation_rule: { '==': [{ var: 'plan' }, 'enterprise'] } },
      { rollout_percentage: 0.8 },
    ],
  },
}

const USERS = 10_000
const CASE_MS = 1_500
const WARMUP_MS = 300

function contexts(withProperties: boolean): FlagContext[] {
  return Array.from({ length: USERS }, (_, i) =>
    withProperties
      ? { distinct_id: `user-${i}`, custom_properties: { plan: i % 10 === 0 ? 'Enterprise' : 'free' } }
      : { distinct_id: `user-${i}` },
  )
}

// Runs `evaluate` over all contexts repeatedly for `ms`. Returns evaluations per second of wall
// time and per second of this process's CPU time (which other load on the machine does not dilute).
function measure(
  evaluate: (context: FlagContext) => unknown,
  list: FlagContext[],
  ms: number,
): { wall: number; cpu: number } {
  let count = 0
  let sink = 0
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < list.length; i++) if (evaluate(list[i]!) !== undefined) sink++
    count += list.length
    elapsed = performance.now() - start
  }
  const cpu = process.cpuUsage(cpuStart)
  if (sink < 0) throw new Error('unreachable')
  return { wall: (count / elapsed) * 1000, cpu: (count / (cpu.user + cpu.system)) * 1e6 }
}

function officialEvaluator(flags: FlagDefinition[]): OfficialLocalFlags {
  const LocalFeatureFlagsProvider = createRequire(import.meta.url)(
    'mixpanel/lib/flags/local_flags.js',
  ) as new (
    token: string,
    config: object,
    tracker: () => void,
    logger: undefined,
  ) => OfficialLocalFlags
  const official = new LocalFeatureFlagsProvider('token', {}, () => {}, undefined)
  official.flagDefinitions = new Map(flags.map((f) => [f.key, f]))
  return official
}

/** Runs every case and returns the rows. */
export function runFlagsBench(caseMs = CASE_MS): FlagsBenchRow[] {
  const flags = [SIMPLE, EXPERIMENT]
  const eventwire = new LocalFlagsProvider({ definitions: { flags }, reportExposure: false })
  const deduplicated = new LocalFlagsProvider({ definitions: { flags }, tracker: { track: async () => {} } })
  const official = officialEvaluator(flags)
  const plain = contexts(false)
  const withProperties = contexts(true)
  const fallback = { variant_value: false }

  const cases: Array<[string, FlagsBenchRow['implementation'], (c: FlagContext) => unknown, FlagContext[]]> =
    [
      ['simple rollout', 'eventwire', (c) => eventwire.getVariant('new-checkout', false, c), plain],
      [
        'simple rollout',
        'mixpanel (npm)',
        (c) => official.getVariant('new-checkout', fallback, c, false),
        plain,
      ],
      [
        '3 variants, rule + rollout',
        'eventwire',
        (c) => eventwire.getVariant('pricing-page', null, c),
        withProperties,
      ],
      [
        '3 variants, rule + rollout',
        'mixpanel (npm)',
        (c) => official.getVariant('pricing-page', fallback, c, false),
        withProperties,
      ],
      [
        'simple rollout + deduplicated exposures',
        'eventwire',
        (c) => deduplicated.getVariant('new-checkout', false, c),
        plain,
      ],
    ]
  const rows: FlagsBenchRow[] = []
  for (const [name, implementation, evaluate, list] of cases) {
    measure(evaluate, list, WARMUP_MS)
    const { wall, cpu } = measure(evaluate, list, caseMs)
    rows.push({ case: name, implementation, evaluationsPerSecond: wall, evaluationsPerCpuSecond: cpu })
  }
  return rows
}

/** Formats rows as a table with the eventwire / mixpanel ratio per case. */
export function formatFlagsBench(rows: FlagsBenchRow[]): string {
  const lines = [
    '| case | implementation | evaluations/s | per CPU-second | vs mixpanel (npm) |',
    '| --- | --- | ---: | ---: | ---: |',
  ]
  const n = (x: number) => Math.round(x).toLocaleString('en-US')
  for (const row of rows) {
    const official = rows.find((r) => r.case === row.case && r.implementation === 'mixpanel (npm)')
    const ratio =
      official && row.implementation === 'eventwire'
        ? `${(row.evaluationsPerSecond / official.evaluationsPerSecond).toFixed(1)}×`
        : ''
    lines.push(
      `| ${row.case} | ${row.implementation} | ${n(row.evaluationsPerSecond)} | ${n(row.evaluationsPerCpuSecond)} | ${ratio} |`,
    )
  }
  return lines.join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = runFlagsBench()
  console.log(`Local flag evaluation, ${USERS.toLocaleString('en-US')} users, Node ${process.version}\n`)
  console.log(formatFlagsBench(rows))
  const simple = rows.find((r) => r.case === 'simple rollout' && r.implementation === 'eventwire')!
  const official = rows.find((r) => r.case === 'simple rollout' && r.implementation === 'mixpanel (npm)')!
  const ratio = simple.evaluationsPerSecond / official.evaluationsPerSecond
  console.log(
    `\ntargets: ≥ 2,000,000/s simple rollout (${simple.evaluationsPerSecond >= 2e6 ? 'met' : 'MISSED'}), ` +
      `≥ 5× mixpanel (npm) (${ratio >= 5 ? 'met' : 'MISSED'})`,
  )
}
