import type { Command } from 'commander'
import { deprecateEvents } from '../bulk/index.js'
import { ConfigError } from '../errors/index.js'
import {
  action,
  addConnectionOptions,
  type CliIo,
  EXIT,
  plural,
  requireProjectId,
  resolveConnection,
} from './common-options.js'

/**
 * Registers `eventwire events deprecate <name...> [--drop]`: hides (or drops) events in Mixpanel
 * Lexicon, keeping their schemas. Exit codes: 0 success, 1 Lexicon refused, 2 bad options.
 */
export function registerEventsCommand(program: Command, io: CliIo = {}): Command {
  const events = program.command('events').description('Events in Mixpanel Lexicon: clean up.')
  addConnectionOptions(
    events
      .command('deprecate')
      .description('Mark events hidden in Lexicon (with --drop, also dropped: no longer ingested).')
      .argument('<name...>', 'event names, as sent to Mixpanel')
      .option('--drop', 'also mark them dropped: Mixpanel stops storing new data for them'),
  )
    .option('--dry-run', 'read the current schemas and print the update, send nothing')
    .option('--json', 'print a machine-readable JSON summary on stdout')
    .action(
      action(io, 'events deprecate', async (output, rawFlags, names: string[]) => {
        const flags = rawFlags as { drop?: boolean; dryRun?: boolean; json?: boolean }
        const connection = resolveConnection(rawFlags, io.env)
        if (connection.account === undefined) {
          throw new ConfigError(
            '--service-account',
            'a service account with the admin or owner role is required (--service-account or EVENTWIRE_SERVICE_ACCOUNT)',
          )
        }
        const result = await deprecateEvents(names, {
          projectId: requireProjectId(connection),
          serviceAccount: connection.account,
          region: connection.region,
          apiHost: connection.apiHost,
          drop: flags.drop === true,
          dryRun: flags.dryRun === true,
          clock: io.clock,
          transport: io.transport,
          logger: output.logger,
        })
        if (flags.json) {
          output.out(`${JSON.stringify(result)}\n`)
          return EXIT.ok
        }
        if (result.dryRun) output.out(`${JSON.stringify({ entries: result.entries }, null, 2)}\n`)
        for (const e of result.events) {
          output.out(
            `${e.dropped ? 'dropped' : 'hidden '} ${e.name}${e.known ? '' : ' (no schema before: created one)'}\n`,
          )
        }
        output.out(
          `${result.dryRun ? 'dry run: ' : ''}events deprecate: ${plural(result.events.length, 'event')}${result.dryRun ? ', nothing sent' : ` in ${plural(result.requests, 'Lexicon request')}`}\n`,
        )
        return EXIT.ok
      }),
    )
  return events
}
