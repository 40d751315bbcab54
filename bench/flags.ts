// Local flag evaluation speed: eventwire's evaluator against the official `mixpanel` npm package's
// local evaluator, on the same definitions and the same 10,000 users.
// Run: npm run bench -- flags   (about 40 s: 5 rounds of 7 cases, 1 s each; `npx tsx bench/flags.ts 3` for 3 rounds)
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { type FlagContext, type FlagDefinition, LocalFlagsProvider } from '../src/flags/index.js'

/** One measured case. */
export interface FlagsBenchRow {
  case: string
  implementation: 'eventwire' | 'mixpanel (npm)'
  /** 1-based round number. */
  round: number
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

// Two clauses, as targeting rules usually look: a list of countries and a minimum app version.
const TWO_CLAUSE_RULE = {
  and: [
    { in: [{ var: 'country' }, ['us', 'ca', 'gb', 'de', 'fr']] },
    { semver_compare: [{ var: 'app_version' }, '>=', '2.1.0'] },
  ],
}

const TARGETED: FlagDefinition = {
  id: '3',
  name: 'Targeted rollout',
  key: 'targeted',
  status: 'enabled',
  project_id: 1,
  context: 'distinct_id',
  hash_salt: '3f2a1b',
  ruleset: {
    variants: [
      { key: 'off', value: false, is_control: true, split: 0 },
      { key: 'on', value: true, is_control: false, split: 1 },
    ],
    rollout: [{ rollout_percentage: 1, runtime_evaluation_rule: TWO_CLAUSE_RULE }],
  },
}

const USERS = 10_000
const CASE_MS = 1_000
const WARMUP_MS = 300
const ROUNDS = 5

const COUNTRIES = ['US', 'de', 'JP', 'Fr', 'br']
const VERSIONS = ['2.1.0', 'v2.4', '1.9.9', '3.0.0-beta.1', '2.0.10']

function contexts(kind: 'plain' | 'plan' | 'targeting'): FlagContext[] {
  return Array.from({ length: USERS }, (_, i) => {
    const distinct_id = `user-${i}`
    if (kind === 'plain') return { distinct_id }
    if (kind === 'plan')
      return { distinct_id, custom_properties: { plan: i % 10 === 0 ? 'Enterprise' : 'free' } }
    return {
      distinct_id,
      custom_properties: {
        Country: COUNTRIES[i % COUNTRIES.length],
        app_version: VERSIONS[(i >> 2) % VERSIONS.length],
        plan: 'free',
      },
    }
  })
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

type Implementation = FlagsBenchRow['implementation']

/**
 * Runs every case `rounds` times, the cases interleaved within a round so that load from elsewhere
 * on the machine weighs on both implementations alike. Returns one row per case, implementation and
 * round.
 */
export function runFlagsBench(rounds = ROUNDS, caseMs = CASE_MS): FlagsBenchRow[] {
  const flags = [SIMPLE, EXPERIMENT, TARGETED]
  const eventwire = new LocalFlagsProvider({ definitions: { flags }, reportExposure: false })
  const deduplicated = new LocalFlagsProvider({ definitions: { flags }, tracker: { track: async () => {} } })
  const official = officialEvaluator(flags)
  const plain = contexts('plain')
  const plan = contexts('plan')
  const targeting = contexts('targeting')
  const fallback = { variant_value: false }

  const cases: Array<[string, Implementation, (c: FlagContext) => unknown, FlagContext[]]> = [
    ['simple rollout', 'eventwire', (c) => eventwire.getVariant('new-checkout', false, c), plain],
    [
      'simple rollout',
      'mixpanel (npm)',
      (c) => official.getVariant('new-checkout', fallback, c, false),
      plain,
    ],
    [
      'two-clause rule (in + semver_compare)',
      'eventwire',
      (c) => eventwire.getVariant('targeted', false, c),
      targeting,
    ],
    [
      'two-clause rule (in + semver_compare)',
      'mixpanel (npm)',
      (c) => official.getVariant('targeted', fallback, c, false),
      targeting,
    ],
    ['3 variants, rule + rollout', 'eventwire', (c) => eventwire.getVariant('pricing-page', null, c), plan],
    [
      '3 variants, rule + rollout',
      'mixpanel (npm)',
      (c) => official.getVariant('pricing-page', fallback, c, false),
      plan,
    ],
    [
      'simple rollout + deduplicated exposures',
      'eventwire',
      (c) => deduplicated.getVariant('new-checkout', false, c),
      plain,
    ],
  ]
  for (const [, , evaluate, list] of cases) measure(evaluate, list, WARMUP_MS)
  const rows: FlagsBenchRow[] = []
  for (let round = 1; round <= rounds; round++) {
    for (const [name, implementation, evaluate, list] of cases) {
      const { wall, cpu } = measure(evaluate, list, caseMs)
      rows.push({
        case: name,
        implementation,
        round,
        evaluationsPerSecond: wall,
        evaluationsPerCpuSecond: cpu,
      })
    }
  }
  return rows
}

/** Median, minimum and maximum of a non-empty list. */
function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! }
}

/** One case's figures across rounds; the ratio is taken within each round, then summarised. */
export interface FlagsBenchSummary {
  case: string
  implementation: Implementation
  wall: { median: number; min: number; max: number }
  cpu: { median: number; min: number; max: number }
  /** eventwire ÷ mixpanel (npm), per round; undefined for the official rows and unpaired cases. */
  ratio: { median: number; min: number; max: number } | undefined
}

/** Summarises the rows of {@link runFlagsBench} per case and implementation. */
export function summarizeFlagsBench(rows: FlagsBenchRow[]): FlagsBenchSummary[] {
  const keys = [...new Set(rows.map((r) => `${r.case}\u0000${r.implementation}`))]
  return keys.map((key) => {
    const [name, implementation] = key.split('\u0000') as [string, Implementation]
    const mine = rows.filter((r) => r.case === name && r.implementation === implementation)
    const ratios: number[] = []
    if (implementation === 'eventwire') {
      for (const row of mine) {
        const official = rows.find(
          (r) => r.case === name && r.implementation === 'mixpanel (npm)' && r.round === row.round,
        )
        if (official) ratios.push(row.evaluationsPerSecond / official.evaluationsPerSecond)
      }
    }
    return {
      case: name,
      implementation,
      wall: spread(mine.map((r) => r.evaluationsPerSecond)),
      cpu: spread(mine.map((r) => r.evaluationsPerCpuSecond)),
      ratio: ratios.length > 0 ? spread(ratios) : undefined,
    }
  })
}

/** Formats summaries as a table: medians, with the range across rounds in brackets. */
export function formatFlagsBench(summaries: FlagsBenchSummary[]): string {
  const lines = [
    '| case | implementation | evaluations/s | per CPU-second | vs mixpanel (npm) |',
    '| --- | --- | ---: | ---: | ---: |',
  ]
  const n = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}K`)
  const range = (s: { median: number; min: number; max: number }, f: (x: number) => string) =>
    `${f(s.median)} (${f(s.min)}–${f(s.max)})`
  const times = (x: number) => `${x.toFixed(1)}×`
  for (const s of summaries) {
    const ratio = s.ratio ? range(s.ratio, times) : ''
    lines.push(`| ${s.case} | ${s.implementation} | ${range(s.wall, n)} | ${range(s.cpu, n)} | ${ratio} |`)
  }
  return lines.join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rounds = Number(process.argv[2] ?? ROUNDS)
  const summaries = summarizeFlagsBench(runFlagsBench(rounds))
  console.log(
    `Local flag evaluation, ${USERS.toLocaleString('en-US')} users, Node ${process.version}, ` +
      `${rounds} rounds of ${CASE_MS} ms per case: median (min–max)\n`,
  )
  console.log(formatFlagsBench(summaries))
  const find = (name: string) => summaries.find((s) => s.case === name && s.implementation === 'eventwire')!
  const target = (name: string, perSecond: number, times: number) => {
    const s = find(name)
    const met = s.wall.median >= perSecond && s.ratio!.median >= times
    return `${name}: ≥ ${(perSecond / 1e6).toFixed(0)}M/s and ≥ ${times}× mixpanel (npm), medians: ${met ? 'met' : 'MISSED'}`
  }
  console.log(`\ntargets\n- ${target('simple rollout', 2e6, 5)}`)
  console.log(`- ${target('two-clause rule (in + semver_compare)', 2e6, 5)}`)
}
