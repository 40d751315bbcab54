import { type Command, InvalidArgumentError, Option } from 'commander'
import type { Logger } from '../internal/index.js'

/** Options of `eventwire worker`, as commander parses them. */
interface WorkerCommandOptions {
  redis: string
  stream: string
  token: string
  apiHost?: string
  region?: 'us' | 'eu' | 'in'
  concurrency: number
  batchSize?: number
  group?: string
  leaseTimeout?: number
  progressInterval: number
  shutdownTimeout?: number
  serviceAccountUser?: string
  serviceAccountSecret?: string
  projectId?: string
}

/** What the command writes to and stops on; tests pass their own. */
export interface WorkerCommandIo {
  /** Progress lines. @default process.stdout */
  stdout?: { write(text: string): unknown }
  /** Warnings and errors. @default process.stderr */
  stderr?: { write(text: string): unknown }
  /** Stops the worker when aborted. @default SIGTERM or SIGINT */
  signal?: AbortSignal
}

/**
 * Registers `eventwire worker`: drains a Redis queue filled by `RedisEventStore` producers to
 * Mixpanel, printing one progress line per interval, until SIGTERM or SIGINT; then it finishes the
 * requests in flight, hands its other leases back to the queue and exits with code 0.
 */
export function registerWorkerCommand(program: Command, io: WorkerCommandIo = {}): Command {
  return program
    .command('worker')
    .description('Deliver the messages queued in a Redis store to Mixpanel (run as many as you like)')
    .addOption(
      new Option('--redis <url>', 'Redis URL: redis://host:6379, rediss:// for TLS, redis://:password@host')
        .env('EVENTWIRE_REDIS_URL')
        .makeOptionMandatory(),
    )
    .requiredOption('--stream <name>', 'queue name, the stream option of the producers’ RedisEventStore')
    .addOption(
      new Option('--token <token>', 'project token, set on queued messages that carry none')
        .env('MIXPANEL_TOKEN')
        .makeOptionMandatory(),
    )
    .option('--api-host <host>', 'ingestion host or origin (default api.mixpanel.com)')
    .addOption(new Option('--region <region>', 'data-residency region').choices(['us', 'eu', 'in']))
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 4)
    .option('--batch-size <n>', 'messages per request (default 50)', positiveInt)
    .option('--group <name>', 'consumer group shared by the workers (default eventwire)')
    .option(
      '--lease-timeout <ms>',
      'a dead worker’s messages move to another after this long (default 60000)',
      positiveInt,
    )
    .option('--progress-interval <ms>', 'interval of the progress line, 0 for none', nonNegativeInt, 10_000)
    .option(
      '--shutdown-timeout <ms>',
      'on SIGTERM, how long requests in flight may finish (default 10000)',
      nonNegativeInt,
    )
    .option('--service-account-user <name>', 'service account for /import')
    .addOption(
      new Option('--service-account-secret <secret>', 'its secret').env('MIXPANEL_SERVICE_ACCOUNT_SECRET'),
    )
    .option('--project-id <id>', 'project id for the service account')
    .action(async (options: WorkerCommandOptions) => {
      await runWorkerCommand(options, io)
    })
}

async function runWorkerCommand(options: WorkerCommandOptions, io: WorkerCommandIo): Promise<void> {
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  const logger: Logger = {
    debug: () => {},
    info: (_fields, message) => stdout.write(`${new Date().toISOString()} ${message}\n`),
    warn: (fields, message) => stderr.write(`warning: ${message}${detail(fields)}\n`),
    error: (fields, message) => stderr.write(`error: ${message}${detail(fields)}\n`),
  }
  let signal = io.signal
  let unhook = () => {}
  if (signal === undefined) {
    const controller = new AbortController()
    // Listening (not once): a repeated signal, e.g. relayed by a wrapper, must not kill the drain.
    const stop = (name: NodeJS.Signals) => {
      if (controller.signal.aborted) return
      stderr.write(`${name}: finishing requests in flight and handing back leases\n`)
      controller.abort()
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
    unhook = () => {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
    }
    signal = controller.signal
  }
  const serviceAccount =
    options.serviceAccountUser !== undefined &&
    options.serviceAccountSecret !== undefined &&
    options.projectId
      ? {
          username: options.serviceAccountUser,
          secret: options.serviceAccountSecret,
          projectId: options.projectId,
        }
      : undefined
  try {
    const { runWorker } = await import('../worker/index.js')
    const result = await runWorker({
      redis: options.redis,
      stream: options.stream,
      token: options.token,
      apiHost: options.apiHost,
      region: options.region,
      serviceAccount,
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      group: options.group,
      leaseTimeoutMs: options.leaseTimeout,
      progressIntervalMs: options.progressInterval,
      shutdownTimeoutMs: options.shutdownTimeout,
      signal,
      logger,
    })
    stdout.write(
      `eventwire worker stopped: ${result.sent} sent, ${result.failed} failed, ${result.dropped} dropped, ${result.requests} requests\n`,
    )
  } catch (error) {
    stderr.write(`error: ${(error as Error).message}\n`)
    process.exitCode = 1
  } finally {
    unhook()
  }
}

function detail(fields: Record<string, unknown>): string {
  const err = fields.err
  if (typeof err === 'string') return `: ${err}`
  if (err instanceof Error) return `: ${err.message}`
  return ''
}

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1')
  return n
}

function nonNegativeInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of at least 0')
  return n
}
