import { type Command, Option } from 'commander'
import { type DeletionTask, GdprClient, readIds } from '../bulk/index.js'
import { ConfigError } from '../errors/index.js'
import {
  action,
  addConnectionOptions,
  type CliIo,
  type Connection,
  EXIT,
  type Output,
  plural,
  positiveInt,
  requireToken,
  resolveConnection,
} from './common-options.js'

interface GdprFlags {
  gdprToken?: string
  complianceType?: 'GDPR' | 'CCPA'
  ids?: string
  idField?: string
  batchSize?: number
  dryRun?: boolean
  json?: boolean
}

/**
 * Registers `eventwire gdpr delete --ids <file>` and `eventwire gdpr status <tracking-id>`:
 * end-user data deletion through Mixpanel's GDPR API v3 (1 request per second, 1999 ids per
 * request). Exit codes: 0 success, 1 a request was refused, 2 bad options.
 */
export function registerGdprCommand(program: Command, io: CliIo = {}): Command {
  const gdpr = program.command('gdpr').description('End-user data deletion through the GDPR / CCPA API v3.')

  const del = gdpr
    .command('delete')
    .description(
      'Create deletion tasks (events and profiles) for distinct ids, 1999 per request, 1 request/s.',
    )
    .requiredOption('--ids <file>', 'distinct ids: one per line, or a CSV/NDJSON file with --id-field')
    .option('--id-field <name>', 'field holding the id in CSV/NDJSON files (default: distinct_id)')
    .option('--batch-size <n>', 'ids per request, at most 2000 (default: 1999)', positiveInt)
  gdprOptions(del)
    .option('--dry-run', 'count the ids and requests, send nothing')
    .action(
      action(io, 'gdpr delete', async (output, rawFlags) => {
        const flags = rawFlags as unknown as GdprFlags
        const connection = resolveConnection(rawFlags, io.env)
        const unreadable: string[] = []
        const ids = readIds(flags.ids!, {
          idField: flags.idField,
          onInvalid: (line, reason) => unreadable.push(`line ${line}: ${reason}`),
        })
        if (flags.dryRun) {
          const batchSize = flags.batchSize ?? 1999
          let count = 0
          for await (const _id of ids) count++
          const requests = Math.ceil(count / batchSize)
          for (const line of unreadable.slice(0, 20)) output.err(`  ${line}\n`)
          if (flags.json)
            output.out(
              `${JSON.stringify({ dryRun: true, ids: count, requests, unreadable: unreadable.length })}\n`,
            )
          else
            output.out(
              `dry run: ${plural(count, 'id')} in ${plural(requests, 'request')} (at least ${Math.max(0, requests - 1)} s); nothing sent${unreadable.length > 0 ? `; ${plural(unreadable.length, 'unreadable line')}` : ''}\n`,
            )
          return unreadable.length === 0 ? EXIT.ok : EXIT.failed
        }
        const client = createClient(flags, connection, io, output)
        const tasks: DeletionTask[] = []
        let error: Error | undefined
        try {
          await client.deleteIds(ids, (task) => {
            tasks.push(task)
            if (!flags.json) output.out(`deletion task ${task.trackingId}: ${plural(task.ids, 'id')}\n`)
          })
        } catch (e) {
          if (!(e instanceof Error) || e instanceof ConfigError) throw e
          error = e
        } finally {
          await client.close()
        }
        const idCount = tasks.reduce((n, t) => n + t.ids, 0)
        for (const line of unreadable.slice(0, 20)) output.err(`  ${line}\n`)
        if (flags.json) {
          output.out(
            `${JSON.stringify({
              dryRun: false,
              ids: idCount,
              tasks,
              requests: client.requests,
              unreadable: unreadable.length,
              error:
                error === undefined
                  ? undefined
                  : { code: (error as { code?: string }).code, message: error.message },
            })}\n`,
          )
        } else {
          output.out(`gdpr delete: ${plural(idCount, 'id')} in ${plural(tasks.length, 'deletion task')}\n`)
          if (error !== undefined)
            output.err(`eventwire gdpr delete: ${error.message} [${(error as { code?: string }).code}]\n`)
        }
        return error === undefined && unreadable.length === 0 ? EXIT.ok : EXIT.failed
      }),
    )

  gdprOptions(
    gdpr
      .command('status')
      .description('Show the state of a deletion task.')
      .argument('<tracking-id>', 'the tracking id printed by gdpr delete'),
  ).action(
    action(io, 'gdpr status', async (output, rawFlags, trackingId: string) => {
      const flags = rawFlags as unknown as GdprFlags
      const client = createClient(flags, resolveConnection(rawFlags, io.env), io, output)
      try {
        const status = await client.deletionStatus(trackingId)
        if (flags.json) output.out(`${JSON.stringify(status)}\n`)
        else output.out(`${status.trackingId}: ${status.status}\n`)
        return EXIT.ok
      } finally {
        await client.close()
      }
    }),
  )
  return gdpr
}

function gdprOptions(command: Command): Command {
  return addConnectionOptions(command)
    .option(
      '--gdpr-token <token>',
      'GDPR OAuth token from the account settings (default: EVENTWIRE_GDPR_TOKEN)',
    )
    .addOption(
      new Option('--compliance-type <type>', 'GDPR or CCPA (default: GDPR)').choices(['GDPR', 'CCPA']),
    )
    .option('--json', 'print a machine-readable JSON summary on stdout')
}

function createClient(flags: GdprFlags, connection: Connection, io: CliIo, output: Output): GdprClient {
  const gdprToken = flags.gdprToken ?? (io.env ?? process.env).EVENTWIRE_GDPR_TOKEN
  if (gdprToken === undefined || gdprToken === '') {
    throw new ConfigError(
      '--gdpr-token',
      'the GDPR OAuth token is required (--gdpr-token or EVENTWIRE_GDPR_TOKEN)',
    )
  }
  return new GdprClient({
    token: requireToken(connection),
    gdprToken,
    region: connection.region,
    apiHost: connection.apiHost,
    complianceType: flags.complianceType,
    batchSize: flags.batchSize,
    clock: io.clock,
    transport: io.transport,
    logger: output.logger,
  })
}
