import type { Command } from 'commander'
import {
  type CleanupResult,
  deleteProfiles,
  type InputFormat,
  type ProfileChange,
  readIds,
  type SyncProfilesResult,
  syncProfilesFromFile,
  unsetProfileProperties,
} from '../bulk/index.js'
import {
  action,
  addBatchOptions,
  addConnectionOptions,
  addOutputOptions,
  type BatchFlags,
  batchOptions,
  type CliIo,
  EXIT,
  fileSize,
  inputFormatOption,
  type Output,
  plural,
  requireToken,
  resolveConnection,
  stopSignal,
} from './common-options.js'
import { createProgress } from './progress.js'

/** Default location of the people sync state file. */
export const DEFAULT_STATE_PATH = '.eventwire/people-state.sqlite'

interface SyncFlags extends BatchFlags {
  idField: string
  state: string
  deleteMissing?: boolean
  format?: InputFormat
  csvDelimiter?: string
  dryRun?: boolean
  json?: boolean
  progress?: boolean
}

interface IdsFlags extends BatchFlags {
  ids: string
  idField?: string
  dryRun?: boolean
  json?: boolean
  progress?: boolean
  ignoreAlias?: boolean
}

/**
 * Registers `eventwire people sync|delete|unset`. Exit codes: 0 success, 1 something failed,
 * 2 bad options, 130 interrupted.
 */
export function registerPeopleCommand(program: Command, io: CliIo = {}): Command {
  const people = program
    .command('people')
    .description('User profiles: sync from application state, clean up.')

  const sync = people
    .command('sync')
    .description('Make profiles a copy of application state: send only what changed since the last sync.')
    .argument('<file>', 'current users (NDJSON, JSON array or CSV; .gz too), one row per user')
    .option('--id-field <name>', 'field holding the distinct id', 'distinct_id')
    .option('--state <file>', 'SQLite file with the last synced state', DEFAULT_STATE_PATH)
    .option('--delete-missing', 'send $delete for synced profiles missing from the input')
    .addOption(inputFormatOption())
    .option('--csv-delimiter <char>', 'CSV field separator (default: , or tab for .tsv)')
  addConnectionOptions(sync)
  addOutputOptions(sync, 'print the changes (the diff), send nothing, keep the state as it is')
  addBatchOptions(sync, 'updates').action(
    action(io, 'people sync', async (output, rawFlags, file: string) => {
      const flags = rawFlags as unknown as SyncFlags
      const connection = resolveConnection(rawFlags, io.env)
      const json = flags.json === true
      const changes: ProfileChange[] = []
      const stop = stopSignal(io, output, 'finishing the updates in flight')
      const progress = createProgress({
        stream: output.stderr,
        label: 'people sync',
        unit: 'rows',
        totalBytes: fileSize(file),
        enabled: flags.progress !== false && !json,
        intervalMs: io.progressIntervalMs,
      })
      let result: SyncProfilesResult
      try {
        result = await syncProfilesFromFile(file, {
          token: requireToken(connection),
          region: connection.region,
          apiHost: connection.apiHost,
          statePath: flags.state,
          idField: flags.idField,
          deleteMissing: flags.deleteMissing === true,
          dryRun: flags.dryRun === true,
          format: flags.format,
          csvDelimiter: flags.csvDelimiter,
          ...batchOptions(flags),
          logger: output.logger,
          signal: stop.signal,
          onChange: flags.dryRun
            ? (change) => {
                if (json) changes.push(change)
                else output.out(formatChange(change))
              }
            : undefined,
          onProgress: (p) => progress.update({ bytes: p.fileBytes, items: p.rows, failed: p.failed }),
        })
      } finally {
        progress.stop()
        stop.release()
      }
      if (json) output.out(`${JSON.stringify(flags.dryRun ? { ...result, changes } : result)}\n`)
      else {
        for (const p of result.problems) {
          output.err(
            `  ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.id !== undefined ? `${p.id}: ` : ''}${p.reason}\n`,
          )
        }
        const more = result.invalid + result.failed - result.problems.length
        if (more > 0) output.err(`  ... and ${plural(more, 'more problem')}\n`)
        output.out(
          `${result.dryRun ? 'dry run: ' : ''}people sync: ${plural(result.rows, 'row')}: ${result.set} $set, ${result.unset} $unset, ${result.deleted} $delete, ${result.unchanged} unchanged, ${result.invalid} invalid, ${result.failed} failed${result.dryRun ? '; nothing sent' : ''} (state ${result.statePath})\n`,
        )
        if (result.failed > 0 || result.interrupted) {
          output.err(
            `eventwire people sync: ${result.interrupted ? 'interrupted' : `${plural(result.failed, 'profile')} not fully acknowledged`}; the state keeps only acknowledged updates, so the next run sends the rest [EVENTWIRE_BULK_INCOMPLETE]\n`,
          )
        }
      }
      if (result.interrupted) return EXIT.interrupted
      return result.ok ? EXIT.ok : EXIT.failed
    }),
  )

  const del = people
    .command('delete')
    .description(
      'Delete user profiles ($delete on /engage). Their events are kept: use gdpr delete for those.',
    )
    .option('--ignore-alias', 'do not resolve aliases (delete a duplicate profile without the original)')
  idsCommand(del, io, 'people delete', (ids, flags, options) =>
    deleteProfiles(ids, { ...options, ignoreAlias: flags.ignoreAlias === true }),
  )

  const unset = people
    .command('unset')
    .description('Remove properties from user profiles ($unset on /engage).')
    .argument('<property...>', 'property names to remove')
  idsCommand(unset, io, 'people unset', (ids, _flags, options, names) =>
    unsetProfileProperties(ids, names ?? [], options),
  )
  return people
}

type CleanupRun = (
  ids: AsyncIterable<string>,
  flags: IdsFlags,
  options: Parameters<typeof deleteProfiles>[1],
  names?: string[],
) => Promise<CleanupResult>

/** Adds the `--ids` options and the shared action of the id-file clean-up commands. */
export function idsCommand(command: Command, io: CliIo, name: string, run: CleanupRun): Command {
  command
    .requiredOption('--ids <file>', 'ids to process: one per line, or a CSV/NDJSON file with --id-field')
    .option('--id-field <name>', 'field holding the id in CSV/NDJSON files (default: distinct_id)')
  addConnectionOptions(command)
  addOutputOptions(command, 'print every update, send nothing')
  addBatchOptions(command, 'updates')
  command.action(
    action(io, name, async (output, rawFlags, ...args: unknown[]) => {
      const flags = rawFlags as unknown as IdsFlags
      const connection = resolveConnection(rawFlags, io.env)
      const json = flags.json === true
      const stop = stopSignal(io, output, 'finishing the updates in flight')
      const progress = createProgress({
        stream: output.stderr,
        label: name,
        unit: 'ids',
        enabled: flags.progress !== false && !json,
        intervalMs: io.progressIntervalMs,
      })
      const unreadable: string[] = []
      const ids = readIds(flags.ids, {
        idField: flags.idField,
        onInvalid: (line, reason) => unreadable.push(`line ${line}: ${reason}`),
      })
      let result: CleanupResult
      try {
        result = await run(
          ids,
          flags,
          {
            token: requireToken(connection),
            region: connection.region,
            apiHost: connection.apiHost,
            ...batchOptions(flags),
            logger: output.logger,
            dryRun: flags.dryRun === true,
            signal: stop.signal,
            onUpdate: flags.dryRun && !json ? (_id, body) => output.out(`${formatBody(body)}\n`) : undefined,
            onProgress: (p) => progress.update({ items: p.ids, failed: p.failed }),
          },
          args[0] as string[] | undefined,
        )
      } finally {
        progress.stop()
        stop.release()
      }
      reportCleanup(output, name, result, unreadable, json)
      if (result.interrupted) return EXIT.interrupted
      return result.ok && unreadable.length === 0 ? EXIT.ok : EXIT.failed
    }),
  )
  return command
}

function reportCleanup(
  output: Output,
  name: string,
  result: CleanupResult,
  unreadable: string[],
  json: boolean,
): void {
  if (json) {
    output.out(`${JSON.stringify({ ...result, unreadable: unreadable.length })}\n`)
    return
  }
  for (const line of unreadable.slice(0, 20)) output.err(`  ${line}\n`)
  for (const p of result.problems) output.err(`  ${p.id}: ${p.reason}\n`)
  const what = result.dryRun
    ? `dry run: ${plural(result.ids, 'id')}, nothing sent`
    : `${plural(result.ids, 'id')}: ${result.sent} acknowledged, ${result.failed} failed, ${plural(result.requests, 'request')}`
  output.out(
    `${name}: ${what}${unreadable.length > 0 ? `; ${plural(unreadable.length, 'unreadable line')}` : ''}\n`,
  )
}

function formatChange(change: ProfileChange): string {
  const value = change.value === null ? '' : ` ${JSON.stringify(change.value)}`
  return `${change.operation.padEnd(7)} ${change.id}${value}\n`
}

function formatBody(body: Record<string, unknown>): string {
  const { $token: _token, ...rest } = body
  return JSON.stringify(rest)
}
