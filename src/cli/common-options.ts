import { statSync } from 'node:fs'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { ServiceAccount } from '../destinations/index.js'
import { ConfigError, isEventwireError } from '../errors/index.js'
import {
  type Clock,
  createStderrLogger,
  type KnownSecret,
  type Logger,
  REGION_HOSTS,
  Redactor,
  type Region,
} from '../internal/index.js'
import type { HttpTransport } from '../transport/index.js'
import type { ProgressStream } from './progress.js'

/** Where the bulk commands write, what they read from the environment, and what tests inject. */
export interface CliIo {
  /** Results (summaries, `--json` output, dry-run diffs). @default process.stdout */
  stdout?: ProgressStream
  /** Progress and diagnostics. @default process.stderr */
  stderr?: ProgressStream
  /** Environment for the `EVENTWIRE_*` variables. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
  /** Receives the exit code. @default sets process.exitCode */
  setExitCode?: (code: number) => void
  /** Stops long commands gracefully. @default the first SIGINT or SIGTERM (a second one exits at once) */
  signal?: AbortSignal
  /** Clock for the GDPR and Lexicon rate limits. @default systemClock */
  clock?: Clock
  /** HTTP transport for the GDPR and Lexicon requests. */
  transport?: HttpTransport
  /** Interval of plain progress lines, in milliseconds. @default 5000 */
  progressIntervalMs?: number
}

/** Exit codes of the bulk commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** Flags every bulk command accepts. */
export interface CommonFlags {
  token?: string
  serviceAccount?: string
  projectId?: string
  region?: Region
  apiHost?: string
  dryRun?: boolean
  json?: boolean
  progress?: boolean
}

/** The connection settings after flags and `EVENTWIRE_*` variables are combined. */
export interface Connection {
  token: string | undefined
  /** Environment variables of other tools that eventwire does not read but were set (`MIXPANEL_TOKEN`). */
  foreignEnv: readonly string[]
  /** `user:secret` split, without a project id. */
  account: { username: string; secret: string } | undefined
  projectId: string | undefined
  region: Region | undefined
  apiHost: string | undefined
}

/** Adds `--token`, `--service-account`, `--project-id`, `--region` and `--api-host`. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--token <token>', 'project token (default: EVENTWIRE_TOKEN)')
    .option(
      '--service-account <user:secret>',
      'service account for /import and Lexicon (default: EVENTWIRE_SERVICE_ACCOUNT)',
    )
    .option('--project-id <id>', 'project id, needed with a service account (default: EVENTWIRE_PROJECT_ID)')
    .addOption(regionOption())
    .option(
      '--api-host <host>',
      'host or origin instead of the region, e.g. http://127.0.0.1:4000 (default: EVENTWIRE_API_HOST)',
    )
}

/** `--region`: one of Mixpanel's data residency regions. */
export function regionOption(): Option {
  return new Option('--region <region>', 'data residency (default: EVENTWIRE_REGION or us)').choices(
    Object.keys(REGION_HOSTS),
  )
}

/** `--format`: the format of an input file, when its name does not say. */
export function inputFormatOption(): Option {
  return new Option('--format <format>', 'input format (default: from the file name)').choices([
    'ndjson',
    'json',
    'csv',
  ])
}

/** Adds `--dry-run`, `--json` and `--no-progress`. */
export function addOutputOptions(
  command: Command,
  dryRun = 'show what would be sent, send nothing',
): Command {
  return command
    .option('--dry-run', dryRun)
    .option('--json', 'print a machine-readable JSON summary on stdout')
    .option('--no-progress', 'no progress bar or progress lines')
}

/** The delivery flags {@link addBatchOptions} adds, as commander parses them. */
export interface BatchFlags {
  concurrency: number
  batchSize?: number
  retryLimit?: number
  requestTimeout?: number
}

/** Adds `--concurrency`, `--batch-size`, `--retry-limit` and `--request-timeout`. */
export function addBatchOptions(command: Command, unit = 'records'): Command {
  return command
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 10)
    .option('--batch-size <n>', `${unit} per request, at most 2000 (default: 2000)`, positiveInt)
    .option(
      '--retry-limit <n>',
      'retries of a batch on 429, 5xx and network errors (default: 8)',
      nonNegativeInt,
    )
    .option(
      '--request-timeout <ms>',
      'deadline of one request, in milliseconds (default: 10000)',
      positiveInt,
    )
}

/** The library options of the {@link addBatchOptions} flags. */
export function batchOptions(flags: BatchFlags): {
  concurrency: number
  batchSize: number | undefined
  retryLimit: number | undefined
  requestTimeoutMs: number | undefined
} {
  return {
    concurrency: flags.concurrency,
    batchSize: flags.batchSize,
    retryLimit: flags.retryLimit,
    requestTimeoutMs: flags.requestTimeout,
  }
}

/** Combines flags with the `EVENTWIRE_*` environment variables (flags win). */
export function resolveConnection(flags: CommonFlags, env: CliIo['env'] = process.env): Connection {
  const e = env ?? {}
  const rawAccount = flags.serviceAccount ?? nonEmpty(e.EVENTWIRE_SERVICE_ACCOUNT)
  const region = flags.region ?? nonEmpty(e.EVENTWIRE_REGION)
  if (region !== undefined && !['us', 'eu', 'in'].includes(region)) {
    throw new ConfigError('--region', `expected us, eu or in, got ${JSON.stringify(region)}`)
  }
  return {
    token: flags.token ?? nonEmpty(e.EVENTWIRE_TOKEN),
    foreignEnv: FOREIGN_ENV.filter((name) => nonEmpty(e[name]) !== undefined),
    account: rawAccount === undefined ? undefined : parseAccount(rawAccount),
    projectId: flags.projectId ?? nonEmpty(e.EVENTWIRE_PROJECT_ID),
    region: region as Region | undefined,
    apiHost: flags.apiHost ?? nonEmpty(e.EVENTWIRE_API_HOST),
  }
}

/**
 * Environment variables of Mixpanel's tools and of earlier eventwire versions that eventwire does
 * not read: every command reads `EVENTWIRE_*` only. Set without their `EVENTWIRE_*` counterpart,
 * they are named in the error, so the mistake is plain.
 */
export const FOREIGN_ENV = [
  'MIXPANEL_TOKEN',
  'MIXPANEL_SERVICE_ACCOUNT_SECRET',
  'MIXPANEL_API_SECRET',
] as const

/** The project token, or a `ConfigError` naming `--token` and `EVENTWIRE_TOKEN`. */
export function requireToken(connection: Connection): string {
  if (connection.token === undefined) {
    const hint = connection.foreignEnv.includes('MIXPANEL_TOKEN')
      ? '; MIXPANEL_TOKEN is set, but eventwire reads EVENTWIRE_TOKEN'
      : ''
    throw new ConfigError('--token', `the project token is required (--token or EVENTWIRE_TOKEN)${hint}`)
  }
  return connection.token
}

/** The service account for `/import`, when one was given (it then needs a project id). */
export function importAccount(connection: Connection): ServiceAccount | undefined {
  if (connection.account === undefined) return undefined
  return { ...connection.account, projectId: requireProjectId(connection) }
}

/** The project id, or a `ConfigError` naming `--project-id` and `EVENTWIRE_PROJECT_ID`. */
export function requireProjectId(connection: Connection): string {
  if (connection.projectId === undefined || !/^\d+$/.test(connection.projectId)) {
    throw new ConfigError(
      '--project-id',
      'a numeric project id is required (--project-id or EVENTWIRE_PROJECT_ID)',
    )
  }
  return connection.projectId
}

/** Splits `user:secret` at the first colon. The value is never echoed. */
export function parseAccount(raw: string): { username: string; secret: string } {
  const colon = raw.indexOf(':')
  if (colon <= 0 || colon === raw.length - 1) {
    throw new ConfigError('--service-account', 'expected user:secret (the value is not shown)')
  }
  return { username: raw.slice(0, colon), secret: raw.slice(colon + 1) }
}

/**
 * Every secret a command could see, to scrub from its output: tokens, service-account secrets,
 * the GDPR token, the API secret and a Redis URL's password, from flags and the environment.
 */
export function secretsOf(flags: Record<string, unknown>, env: CliIo['env'] = process.env): KnownSecret[] {
  const e = env ?? {}
  const raw = [
    flags.token,
    flags.serviceAccount,
    flags.serviceAccountSecret,
    flags.gdprToken,
    e.EVENTWIRE_TOKEN,
    e.EVENTWIRE_SERVICE_ACCOUNT,
    e.EVENTWIRE_GDPR_TOKEN,
    e.EVENTWIRE_API_SECRET,
    ...FOREIGN_ENV.map((name) => e[name]),
  ].filter((v): v is string => typeof v === 'string' && v !== '')
  const out: KnownSecret[] = []
  for (const value of raw) {
    out.push(value)
    // `user:secret`: also the secret alone, and the pair as Basic auth carries it.
    const colon = value.indexOf(':')
    if (colon > 0) out.push({ user: value.slice(0, colon), secret: value.slice(colon + 1) })
  }
  for (const url of [flags.redis, e.EVENTWIRE_REDIS_URL]) {
    if (typeof url !== 'string') continue
    try {
      const password = decodeURIComponent(new URL(url).password)
      if (password !== '') out.push(password)
    } catch {
      // Not a URL: the command refuses it; the patterns still hide a user-info part.
    }
  }
  return out
}

/** The output functions a command uses: everything written passes through the secret scrubber. */
export interface Output {
  out(text: string): void
  err(text: string): void
  readonly stdout: ProgressStream
  readonly stderr: ProgressStream
  /**
   * The logger to give the library: warnings and errors as `eventwire: …` lines on stderr, rate
   * limited, through the same scrubber (the library's default logger would not know the
   * command's secrets).
   */
  readonly logger: Logger
}

/**
 * Wraps stdout and stderr so that no secret in `secrets` is ever written (nor a URL password or a
 * `Basic`/`Bearer` value, known or not).
 */
export function createOutput(io: Pick<CliIo, 'stdout' | 'stderr'>, secrets: readonly KnownSecret[]): Output {
  const redactor = new Redactor(secrets)
  const scrub = (text: string) => redactor.text(text)
  const rawOut = io.stdout ?? process.stdout
  const rawErr = io.stderr ?? process.stderr
  const wrap = (raw: ProgressStream): ProgressStream => ({
    write: (t: string) => raw.write(scrub(t)),
    isTTY: raw.isTTY,
    get columns() {
      return raw.columns
    },
  })
  const stdout = wrap(rawOut)
  const stderr = wrap(rawErr)
  return {
    out: (t) => void stdout.write(t),
    err: (t) => void stderr.write(t),
    stdout,
    stderr,
    logger: createStderrLogger((line) => void stderr.write(line)),
  }
}

/**
 * Wraps a command action: builds the scrubbed output, runs the action, prints errors as
 * `eventwire <name>: <message> [CODE]`, and sets the exit code the action returns (2 for bad
 * options, 1 for other errors).
 */
export function action<A extends unknown[]>(
  io: CliIo,
  name: string,
  run: (output: Output, flags: Record<string, unknown>, ...args: A) => Promise<number>,
): (...args: unknown[]) => Promise<void> {
  const setExit =
    io.setExitCode ??
    ((code: number) => {
      process.exitCode = code
    })
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command
    const flags = command.optsWithGlobals() as Record<string, unknown>
    const output = createOutput(io, secretsOf(flags, io.env ?? process.env))
    // eventwire's timers are unref'd; while a command waits (backoff, rate limits) this keeps the process up.
    const keepAlive = setInterval(() => {}, 60_000)
    try {
      setExit(await run(output, flags, ...(args.slice(0, -2) as A)))
    } catch (error) {
      const code = isEventwireError(error) ? ` [${error.code}]` : ''
      output.err(`eventwire ${name}: ${(error as Error)?.message ?? String(error)}${code}\n`)
      setExit(error instanceof ConfigError ? EXIT.usage : EXIT.failed)
    } finally {
      clearInterval(keepAlive)
    }
  }
}

/**
 * The signal that stops a long command: `io.signal`, or the first SIGINT/SIGTERM (a message is
 * printed; a second signal exits at once with 130 — safe, because progress is always saved).
 */
export function stopSignal(
  io: CliIo,
  output: Output,
  what: string,
): { signal: AbortSignal; release(): void } {
  if (io.signal !== undefined) return { signal: io.signal, release() {} }
  const controller = new AbortController()
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      output.err(`${name} again: exiting now\n`)
      process.exit(EXIT.interrupted)
    }
    output.err(`\n${name}: ${what} (press Ctrl-C again to exit now)\n`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

/** Size of a file on disk, for progress percentages; undefined when unreadable (reported later). */
export function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}

/** Formats a count with its unit: `1 event`, `2,000 events`. */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
}

/** Parses a whole number of at least 1 (commander argument parser). */
export function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1')
  return n
}

/** Parses a whole number of at least 0 (commander argument parser). */
export function nonNegativeInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of at least 0')
  return n
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
