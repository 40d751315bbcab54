import { type Command, InvalidArgumentError } from 'commander'
import type { Logger } from '../internal/index.js'

/** Options of `eventwire dev`, as commander parses them. */
interface DevOptions {
  port: number
  host: string
  db?: string
  memory?: boolean
  plan?: string
  flags?: string
  token?: string
}

const DEFAULT_DB = '.eventwire/dev.db'

/**
 * Registers `eventwire dev`: starts the local collector and its web debugger, prints the URL, and
 * stops cleanly (closing the database) on SIGINT or SIGTERM.
 */
export function registerDevCommand(program: Command): Command {
  return program
    .command('dev')
    .description('Run the local Mixpanel/Snowplow collector with a live web debugger')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--db <file>', `SQLite file that keeps events and profiles (default: ${DEFAULT_DB})`)
    .option('--memory', 'keep everything in memory; nothing survives a restart')
    .option('--plan <file>', 'tracking plan every event is checked against')
    .option('--flags <file>', 'flag definitions served at /flags/definitions ({"flags": [...]})')
    .option('--token <token>', 'project token events must carry; also accepted as /import auth')
    .action(async (options: DevOptions) => {
      await runDev(options)
    })
}

async function runDev(options: DevOptions): Promise<void> {
  if (options.memory && options.db !== undefined) {
    process.stderr.write('error: use --db <file> or --memory, not both\n')
    process.exitCode = 2
    return
  }
  const { startCollector } = await import('../collector/index.js')
  const db = options.memory ? ':memory:' : (options.db ?? DEFAULT_DB)
  let collector: Awaited<ReturnType<typeof startCollector>>
  try {
    collector = await startCollector({
      port: options.port,
      host: options.host,
      db,
      plan: options.plan,
      flags: options.flags,
      token: options.token,
      logger: cliLogger,
    })
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`)
    process.exitCode = 1
    return
  }
  const url = collector.url
  process.stdout.write(
    [
      `eventwire collector listening on ${url}`,
      '',
      `  Web debugger   ${url}/`,
      `  Mixpanel       new Mixpanel(token, { apiHost: '${url}' })`,
      `  Snowplow       POST ${url}/com.snowplowanalytics.snowplow/tp2 · GET ${url}/i`,
      `  Storage        ${db === ':memory:' ? 'in memory (--memory)' : db}`,
      options.plan ? `  Tracking plan  ${options.plan}` : '',
      options.flags ? `  Flags          ${options.flags}` : '',
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
          process.stderr.write(`error while closing: ${(error as Error).message}\n`)
          process.exitCode = 1
          resolve()
        },
      )
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535')
  }
  return port
}

/** Warnings and errors from the collector go to stderr; the rest stays quiet. */
const cliLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (_fields, message) => process.stderr.write(`warning: ${message}\n`),
  error: (fields, message) =>
    process.stderr.write(`error: ${message}${typeof fields.err === 'string' ? `: ${fields.err}` : ''}\n`),
}
