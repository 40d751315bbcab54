import { type Command, Option } from 'commander'
import { ConfigError } from '../errors/index.js'
import type { Logger } from '../internal/index.js'
import {
  action,
  addConnectionOptions,
  type CliIo,
  importAccount,
  nonNegativeInt,
  positiveInt,
  requireToken,
  resolveConnection,
} from './common-options.js'

/** What the command writes to, reads and stops on; tests pass their own. */
export interface WorkerCommandIo {
  /** Progress lines. @default process.stdout */
  stdout?: { write(text: string): unknown }
  /** Warnings and errors. @default process.stderr */
  stderr?: { write(text: string): unknown }
  /** Stops the worker when aborted. @default SIGTERM or SIGINT */
  signal?: AbortSignal
  /** Environment for the `EVENTWIRE_*` variables. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
}

/** Flags of earlier versions, refused with the flag to use instead. */
const RENAMED_FLAGS = {
  serviceAccountUser: '--service-account-user',
  serviceAccountSecret: '--service-account-secret',
} as const

/**
 * Registers `eventwire worker`: drains a Redis queue filled by `RedisEventStore` producers to
 * Mixpanel, printing one progress line per interval, until SIGTERM or SIGINT; then it finishes the
 * requests in flight, hands its other leases back to the queue and exits with code 0. Takes the
 * connection flags and `EVENTWIRE_*` variables of every command (`--token`/`EVENTWIRE_TOKEN`,
 * `--service-account`/`EVENTWIRE_SERVICE_ACCOUNT`, `--project-id`, `--region`, `--api-host`).
 */
export function registerWorkerCommand(program: Command, io: WorkerCommandIo = {}): Command {
  const cliIo: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env,
  }
  const command = program
    .command('worker')
    .description('Deliver the messages queued in a Redis store to Mixpanel (run as many as you like)')
    .addOption(
      new Option('--redis <url>', 'Redis URL: redis://host:6379, rediss:// for TLS, redis://:password@host')
        .env('EVENTWIRE_REDIS_URL')
        .makeOptionMandatory(),
    )
    .requiredOption('--stream <name>', 'queue name, the stream option of the producers’ RedisEventStore')
  addConnectionOptions(command)
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
    .addOption(new Option('--service-account-user <name>').hideHelp())
    .addOption(new Option('--service-account-secret <secret>').hideHelp())
    .action(
      action(cliIo, 'worker', async (output, flags) => {
        for (const [key, flag] of Object.entries(RENAMED_FLAGS)) {
          if (flags[key] === undefined) continue
          throw new ConfigError(
            flag,
            `${flag} was replaced by --service-account <user:secret> (or EVENTWIRE_SERVICE_ACCOUNT) with --project-id, as in every eventwire command`,
          )
        }
        const connection = resolveConnection(flags, cliIo.env)
        const logger: Logger = {
          debug: () => {},
          info: (_fields, message) => output.out(`${new Date().toISOString()} ${message}\n`),
          warn: (fields, message) => output.err(`warning: ${message}${detail(fields)}\n`),
          error: (fields, message) => output.err(`error: ${message}${detail(fields)}\n`),
        }
        const stop = io.signal === undefined ? stopOnSignals(output.err) : undefined
        try {
          const { runWorker } = await import('../worker/index.js')
          const result = await runWorker({
            redis: flags.redis as string,
            stream: flags.stream as string,
            token: requireToken(connection),
            apiHost: connection.apiHost,
            region: connection.region,
            serviceAccount: importAccount(connection),
            concurrency: flags.concurrency as number,
            batchSize: flags.batchSize as number | undefined,
            group: flags.group as string | undefined,
            leaseTimeoutMs: flags.leaseTimeout as number | undefined,
            progressIntervalMs: flags.progressInterval as number,
            shutdownTimeoutMs: flags.shutdownTimeout as number | undefined,
            signal: io.signal ?? stop?.signal,
            logger,
          })
          output.out(
            `eventwire worker stopped: ${result.sent} sent, ${result.failed} failed, ${result.dropped} dropped, ${result.requests} requests\n`,
          )
          return 0
        } finally {
          stop?.release()
        }
      }),
    )
  return command
}

/**
 * Aborts on SIGTERM or SIGINT. Listening (not once): a repeated signal, e.g. relayed by a wrapper,
 * must not kill the drain.
 */
function stopOnSignals(err: (text: string) => void): { signal: AbortSignal; release(): void } {
  const controller = new AbortController()
  const stop = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) return
    err(`${name}: finishing requests in flight and handing back leases\n`)
    controller.abort()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  return {
    signal: controller.signal,
    release() {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
    },
  }
}

function detail(fields: Record<string, unknown>): string {
  const err = fields.err
  if (typeof err === 'string') return `: ${err}`
  if (err instanceof Error) return `: ${err.message}`
  return ''
}
