import { type Command, Option } from 'commander'
import { type EventMapping, type ImportResult, type InputFormat, importFile } from '../bulk/index.js'
import type { PlanAction } from '../plan/index.js'
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
  importAccount,
  inputFormatOption,
  type Output,
  plural,
  requireToken,
  resolveConnection,
  stopSignal,
} from './common-options.js'
import { createProgress } from './progress.js'

interface ImportFlags extends BatchFlags {
  format?: InputFormat
  eventField?: string
  distinctIdField?: string
  timeField?: string
  timeUnit?: 'auto' | 's' | 'ms'
  insertIdField?: string
  propertyPrefix?: string
  csvDelimiter?: string
  plan?: string
  planPolicy?: PlanAction
  checkpoint?: string | false
  restart?: boolean
  failed?: string
  dryRun?: boolean
  json?: boolean
  progress?: boolean
}

/**
 * Registers `eventwire import <file>`: historical events through `/import` (see `importFile`).
 * Exit codes: 0 everything imported, 1 some records failed or the import stopped early, 2 bad
 * options, 130 interrupted (run the same command again to continue).
 */
export function registerImportCommand(program: Command, io: CliIo = {}): Command {
  const command = program
    .command('import')
    .description('Import historical events (NDJSON, JSON array or CSV, .gz too) through /import; resumable.')
    .argument('<file>', 'input file')
  addConnectionOptions(command)
  addOutputOptions(command, 'read, map and check every record; send nothing and write no files')
  addBatchOptions(command, 'events')
    .addOption(inputFormatOption())
    .option('--event-field <name>', 'field holding the event name (default: event)')
    .option('--distinct-id-field <name>', 'field holding the distinct id (default: distinct_id)')
    .option(
      '--time-field <name>',
      'field holding the time: seconds, milliseconds or ISO-8601 (default: time)',
    )
    .addOption(
      new Option('--time-unit <unit>', 'unit of numeric times (default: auto)').choices(['auto', 's', 'ms']),
    )
    .option('--insert-id-field <name>', 'field holding a ready-made $insert_id (default: $insert_id)')
    .option('--property-prefix <prefix>', 'only fields with this prefix become properties, without it')
    .option('--csv-delimiter <char>', 'CSV field separator (default: , or tab for .tsv)')
    .option('--plan <file>', 'check every event against this tracking plan')
    .addOption(
      new Option(
        '--plan-policy <action>',
        'what to do with events breaking the plan (default: reject)',
      ).choices(['send', 'fix', 'drop', 'reject']),
    )
    .option('--checkpoint <file>', 'checkpoint file (default: <file>.checkpoint.json)')
    .option('--no-checkpoint', 'keep no checkpoint (the import cannot be resumed)')
    .option('--restart', 'ignore the checkpoint and start from the beginning')
    .option('--failed <file>', 'where refused records go (default: <file>.failed.ndjson)')
    .action(
      action(io, 'import', async (output, rawFlags, file: string) => {
        const flags = rawFlags as unknown as ImportFlags
        const connection = resolveConnection(rawFlags, io.env)
        const mapping: EventMapping = {}
        if (flags.eventField !== undefined) mapping.eventField = flags.eventField
        if (flags.distinctIdField !== undefined) mapping.distinctIdField = flags.distinctIdField
        if (flags.timeField !== undefined) mapping.timeField = flags.timeField
        if (flags.timeUnit !== undefined) mapping.timeUnit = flags.timeUnit
        if (flags.insertIdField !== undefined) mapping.insertIdField = flags.insertIdField
        if (flags.propertyPrefix !== undefined) mapping.propertyPrefix = flags.propertyPrefix
        const stop = stopSignal(io, output, 'finishing the batches in flight and saving the checkpoint')
        const progress = createProgress({
          stream: output.stderr,
          label: 'import',
          unit: 'events',
          enabled: flags.progress !== false && flags.json !== true,
          intervalMs: io.progressIntervalMs,
          totalBytes: fileSize(file),
        })
        let result: ImportResult
        try {
          result = await importFile(file, {
            token: requireToken(connection),
            serviceAccount: importAccount(connection),
            region: connection.region,
            apiHost: connection.apiHost,
            ...batchOptions(flags),
            logger: output.logger,
            format: flags.format,
            mapping,
            csvDelimiter: flags.csvDelimiter,
            plan: flags.plan,
            planPolicy: flags.planPolicy,
            checkpoint: flags.checkpoint,
            failedPath: flags.failed,
            restart: flags.restart === true,
            dryRun: flags.dryRun === true,
            signal: stop.signal,
            onProgress: (p) => {
              progress.update({ bytes: p.fileBytes, items: p.records, failed: p.failed })
            },
          })
        } finally {
          progress.stop()
          stop.release()
        }
        report(output, result, flags.json === true)
        if (result.interrupted) return EXIT.interrupted
        // Refused records of earlier runs of this checkpoint count too: they are still not imported.
        return result.complete && result.total.failed === 0 ? EXIT.ok : EXIT.failed
      }),
    )
  return command
}

function report(output: Output, result: ImportResult, json: boolean): void {
  if (json) {
    output.out(`${JSON.stringify(result)}\n`)
    return
  }
  if (result.alreadyComplete) {
    output.out(
      `${result.file} was already imported (checkpoint ${result.checkpointPath}): nothing sent. Use --restart to import it again.\n`,
    )
    refusedBefore(output, result)
    return
  }
  for (const f of result.failures) {
    output.err(`  line ${f.line}: ${f.field ? `${f.field}: ` : ''}${f.reason}\n`)
  }
  if (result.failed > result.failures.length)
    output.err(`  ... and ${plural(result.failed - result.failures.length, 'more')}\n`)
  const seconds = result.elapsedMs / 1000
  const rate = Math.round(result.sent / Math.max(seconds, 0.001)).toLocaleString('en-US')
  const resumed = result.resumedAt ? ` (resumed after ${plural(result.resumedAt.records, 'record')})` : ''
  if (result.dryRun) {
    output.out(
      `dry run: read ${plural(result.records, 'record')} from ${result.file}: ${result.valid.toLocaleString('en-US')} valid, ${result.failed.toLocaleString('en-US')} would be refused; nothing sent\n`,
    )
    return
  }
  const failed =
    result.failed > 0 ? `, ${result.failed.toLocaleString('en-US')} failed (see ${result.failedPath})` : ''
  output.out(
    `imported ${plural(result.sent, 'event')} from ${result.file}${resumed} in ${seconds.toFixed(1)} s (${rate} events/s, ${plural(result.requests, 'request')})${failed}\n`,
  )
  if (result.total.failed > result.failed) refusedBefore(output, result)
  if (result.error !== undefined) {
    output.err(
      `eventwire import: stopped early: ${result.error.message} [EVENTWIRE_BULK_INCOMPLETE]\nRun the same command again to continue from the checkpoint.\n`,
    )
  } else if (result.interrupted) {
    output.err(
      `eventwire import: interrupted; run the same command again to continue from ${result.checkpointPath}\n`,
    )
  }
}

/** Records refused by earlier runs of this checkpoint are still not imported: the exit code says so. */
function refusedBefore(output: Output, result: ImportResult): void {
  if (result.total.failed === 0) return
  output.err(
    `eventwire import: not imported: ${plural(result.total.failed, 'refused record')} of ${result.file} (listed in ${result.failedPath}); fix them and import them again.\n`,
  )
}
