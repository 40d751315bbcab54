import { type Command, InvalidArgumentError } from 'commander'
import { type Logger, Redactor } from '../internal/index.js'
import { parseAccount, secretsOf } from './common-options.js'

/** Options of `eventwire dev`, as commander parses them. */
interface DevOptions {
  port: number
  host: string
  db?: string
  memory?: boolean
  plan?: string
  iglu?: string
  flags?: string
  token?: string
  https?: boolean
  tlsCert?: string
  tlsKey?: string
  projectId?: string
}

const DEFAULT_DB = '.eventwire/dev.db'

/**
 * Registers `eventwire dev`: starts the local collector and its web debugger, prints the URL, and
 * stops cleanly (closing the database) on SIGINT or SIGTERM. The project token is `--token` or
 * `EVENTWIRE_TOKEN`, as in every command. `/import` credentials come from the environment
 * (`EVENTWIRE_API_SECRET`, `EVENTWIRE_SERVICE_ACCOUNT` with `--project-id`), never from the
 * command line, so they do not show in process lists; they are never printed.
 */
export function registerDevCommand(program: Command): Command {
  return program
    .command('dev')
    .description('Run the local Mixpanel/Snowplow collector with a live web debugger')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--db <file>', `SQLite file that keeps events and profiles (default: ${DEFAULT_DB})`)
    .option('--memory', 'keep everything in memory (no native module needed); nothing survives a restart')
    .option('--plan <file>', 'tracking plan every event is checked against')
    .option('--iglu <dir>', 'Iglu schema folder (vendor/name/jsonschema/1-0-0) for Snowplow events')
    .option('--flags <file>', 'flag definitions served at /flags/definitions ({"flags": [...]})')
    .option(
      '--token <token>',
      'project token events must carry; also accepted as /import auth (default: EVENTWIRE_TOKEN)',
    )
    .option('--https', 'serve HTTPS with a self-signed certificate for localhost (made once, reused)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option(
      '--project-id <id>',
      'project id a service account must name (EVENTWIRE_SERVICE_ACCOUNT=user:secret enables it)',
    )
    .addHelpText(
      'after',
      '\n/import auth from the environment: EVENTWIRE_API_SECRET=<secret>, EVENTWIRE_SERVICE_ACCOUNT=<user:secret> (with --project-id).',
    )
    .action(async (options: DevOptions) => {
      await runDev(options, process.env)
    })
}

async function runDev(flags: DevOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const options = { ...flags, token: flags.token ?? (env.EVENTWIRE_TOKEN || undefined) }
  const redactor = new Redactor(secretsOf({ ...options }, env))
  const stderr = (text: string) => void process.stderr.write(redactor.text(text))
  const usage = problemOf(options, env)
  if (usage !== undefined) {
    stderr(`error: ${usage}\n`)
    process.exitCode = 2
    return
  }
  const { startCollector } = await import('../collector/index.js')
  const db = options.memory ? ':memory:' : (options.db ?? DEFAULT_DB)
  const account = env.EVENTWIRE_SERVICE_ACCOUNT ? parseAccount(env.EVENTWIRE_SERVICE_ACCOUNT) : undefined
  const https =
    options.tlsCert !== undefined
      ? { certFile: options.tlsCert, keyFile: options.tlsKey! }
      : options.https === true
  let collector: Awaited<ReturnType<typeof startCollector>>
  try {
    collector = await startCollector({
      port: options.port,
      host: options.host,
      db,
      plan: options.plan,
      iglu: options.iglu,
      flags: options.flags,
      token: options.token,
      apiSecret: env.EVENTWIRE_API_SECRET || undefined,
      serviceAccount: account && { ...account, projectId: options.projectId! },
      https,
      logger: cliLogger(stderr),
    })
  } catch (error) {
    stderr(`error: ${(error as Error).message}\n`)
    process.exitCode = 1
    return
  }
  const url = collector.url
  const auth = [
    options.token ? 'project token' : '',
    env.EVENTWIRE_API_SECRET ? 'API secret' : '',
    account ? `service account (project ${options.projectId})` : '',
  ].filter(Boolean)
  const tls = collector.tls
  process.stdout.write(
    [
      `eventwire collector listening on ${url}`,
      '',
      `  Web debugger   ${url}/`,
      `  Mixpanel       new Mixpanel(token, { apiHost: '${url}' })`,
      `  Snowplow       POST ${url}/com.snowplowanalytics.snowplow/tp2 · GET ${url}/i`,
      `  Storage        ${db === ':memory:' ? 'in memory (--memory)' : db}`,
      options.plan ? `  Tracking plan  ${options.plan}` : '',
      options.iglu ? `  Iglu schemas   ${options.iglu}` : '',
      options.flags ? `  Flags          ${options.flags}` : '',
      auth.length > 0 ? `  /import auth   ${auth.join(', ')} (values not shown)` : '',
      tls
        ? `  Certificate    ${tls.certFile}${tls.selfSigned ? ` (self-signed${tls.created ? ', made now' : ''})` : ''}`
        : '',
      tls?.selfSigned
        ? `                 trust it in Node.js: NODE_EXTRA_CA_CERTS=${tls.certFile} node your-app.js`
        : '',
      '',
      'Press Ctrl-C to stop.',
      '',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
  )
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      const stats = collector.stats()
      collector.close().then(
        () => {
          process.stdout.write(
            `\n${signal}: stopped. ${stats.events} events (${stats.good} good, ${stats.bad} bad), ${stats.updates} profile updates, ${stats.requests} requests.\n`,
          )
          resolve()
        },
        (error: unknown) => {
          stderr(`error while closing: ${(error as Error).message}\n`)
          process.exitCode = 1
          resolve()
        },
      )
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

/** A usage problem with the options, or undefined. */
function problemOf(options: DevOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.memory && options.db !== undefined) return 'use --db <file> or --memory, not both'
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    return 'give --tls-cert and --tls-key together'
  if (options.https && options.tlsCert !== undefined)
    return 'use --https (self-signed) or --tls-cert/--tls-key (your own), not both'
  if (env.EVENTWIRE_SERVICE_ACCOUNT && options.projectId === undefined)
    return 'EVENTWIRE_SERVICE_ACCOUNT needs --project-id <id>'
  if (env.EVENTWIRE_SERVICE_ACCOUNT) {
    try {
      parseAccount(env.EVENTWIRE_SERVICE_ACCOUNT)
    } catch {
      return 'EVENTWIRE_SERVICE_ACCOUNT must be user:secret (the value is not shown)'
    }
  }
  return undefined
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535')
  }
  return port
}

/** Warnings and errors from the collector go to stderr (through the redactor); the rest stays quiet. */
function cliLogger(stderr: (text: string) => void): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (_fields, message) => stderr(`warning: ${message}\n`),
    error: (fields, message) =>
      stderr(`error: ${message}${typeof fields.err === 'string' ? `: ${fields.err}` : ''}\n`),
  }
}
