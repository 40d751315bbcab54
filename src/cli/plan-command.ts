import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import type { Command } from 'commander'
import { stringify } from 'yaml'
import { ConfigError, isEventwireError } from '../errors/index.js'
import { type Clock, createStderrLogger, Redactor } from '../internal/index.js'
import {
  diffPlans,
  EXPORT_MANIFEST,
  exportPlanSchemas,
  formatProblem,
  generatePlanTypes,
  igluVersionsIn,
  type LintFinding,
  lintPlan,
  loadPlan,
  PlanError,
  pullPlan,
  pushPlan,
  readExportManifest,
  writeSchemaExport,
} from '../plan/index.js'
import type { HttpTransport } from '../transport/index.js'
import { regionOption, requireProjectId, resolveConnection, secretsOf } from './common-options.js'

/** Where the plan commands write and what they read from the environment; injectable for tests. */
export interface PlanCommandIo {
  /** Normal output. @default process.stdout.write */
  stdout?: (text: string) => void
  /** Diagnostics. @default process.stderr.write */
  stderr?: (text: string) => void
  /**
   * Environment (`EVENTWIRE_SERVICE_ACCOUNT`, `EVENTWIRE_PROJECT_ID`, `EVENTWIRE_REGION`,
   * `EVENTWIRE_API_HOST`, as for every command). @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>
  /** Receives the exit code. @default sets process.exitCode */
  setExitCode?: (code: number) => void
  /** Clock for the Lexicon rate limit. @default systemClock */
  clock?: Clock
  /** HTTP transport for Lexicon requests. @default a new one per command */
  transport?: HttpTransport
}

interface LexiconFlags {
  projectId?: string
  serviceAccount?: string
  region?: 'us' | 'eu' | 'in'
  apiHost?: string
}

/**
 * Adds `eventwire plan lint|codegen|diff|export|push|pull` to `program`. Exit codes: 0 success, 1 errors
 * (lint errors, unreadable plans, refused requests), 2 breaking changes found by `diff`.
 */
export function registerPlanCommands(program: Command, io: PlanCommandIo = {}): Command {
  const rawOut = io.stdout ?? ((text: string) => void process.stdout.write(text))
  const rawErr = io.stderr ?? ((text: string) => void process.stderr.write(text))
  const env = io.env ?? process.env
  // Everything written passes through the redactor of the running command's secrets.
  let redactor = new Redactor(secretsOf({}, env))
  const out = (text: string) => rawOut(redactor.text(text))
  const err = (text: string) => rawErr(redactor.text(text))
  // The library's warnings go through the same redactor (its default logger would not know the secrets).
  const logger = createStderrLogger(err)
  const exit =
    io.setExitCode ??
    ((code: number) => {
      process.exitCode = code
    })
  const run =
    <A extends unknown[]>(name: string, action: (...args: A) => Promise<number> | number) =>
    async (...args: A) => {
      // commander passes the arguments, then the options, then the command.
      const flags = args.at(-2)
      redactor = new Redactor(
        secretsOf(typeof flags === 'object' && flags !== null ? (flags as Record<string, unknown>) : {}, env),
      )
      try {
        exit(await action(...args))
      } catch (error) {
        err(describeError(name, error))
        exit(1)
      }
    }

  const plan = program
    .command('plan')
    .description('Tracking plans: lint, generate types, compare, sync with Lexicon.')

  plan
    .command('lint')
    .description('Check a plan file; exit 1 when it has errors.')
    .argument('<plan>', 'plan file (JSON or YAML)')
    .option('--json', 'print the findings as JSON')
    .action(
      run('lint', (file: string, flags: { json?: boolean }) => {
        const result = lintPlan(file)
        if (flags.json) out(`${JSON.stringify(result, null, 2)}\n`)
        else {
          for (const f of [...result.errors, ...result.warnings]) out(`${formatFinding(file, f)}\n`)
          out(`${count(result.errors.length, 'error')}, ${count(result.warnings.length, 'warning')}\n`)
        }
        return result.ok ? 0 : 1
      }),
    )

  plan
    .command('codegen')
    .description('Generate TypeScript types (Events, UserProfile, GroupProfiles) from a plan.')
    .argument('<plan>', 'plan file (JSON or YAML)')
    .option('-o, --out <file>', 'write to this .ts file instead of standard output')
    .action(
      run('codegen', (file: string, flags: { out?: string }) => {
        const source = generatePlanTypes(loadPlan(file))
        if (flags.out === undefined) out(source)
        else {
          mkdirSync(dirname(flags.out), { recursive: true })
          writeFileSync(flags.out, source)
          err(`wrote ${flags.out}\n`)
        }
        return 0
      }),
    )

  plan
    .command('diff')
    .description('Classify the changes between two plans; exit 2 when any is breaking.')
    .argument('<old>', 'the older plan file')
    .argument('<new>', 'the newer plan file')
    .option('--json', 'print the changes as JSON')
    .action(
      run('diff', (before: string, after: string, flags: { json?: boolean }) => {
        const diff = diffPlans(before, after)
        if (flags.json) out(`${JSON.stringify(diff, null, 2)}\n`)
        else {
          for (const c of diff.changes) out(`${c.kind.padEnd(9)} ${c.pointer || '/'}  ${c.message}\n`)
          out(
            `${diff.breaking} breaking, ${diff.additive} additive, ${diff.cosmetic} cosmetic (${diff.from} → ${diff.to})\n`,
          )
        }
        return diff.breaking > 0 ? 2 : 0
      }),
    )

  plan
    .command('export')
    .description(
      'Write the plan as JSON Schemas (one per event and profile kind); with --vendor, as an Iglu folder.',
    )
    .argument('<plan>', 'plan file (JSON or YAML)')
    .requiredOption('-o, --out <dir>', 'folder to write (created)')
    .option(
      '--vendor <vendor>',
      'Iglu vendor (e.g. com.acme): write vendor/event_name/jsonschema/M-R-A files',
    )
    .option(
      '--previous <dir>',
      'the previous export folder, to version against (default: --out when it holds an earlier export)',
    )
    .option(
      '--previous-plan <file>',
      'the plan the previous export was made from (when its folder has no manifest)',
    )
    .option('--json', 'print the schemas written as JSON')
    .action(
      run(
        'export',
        (
          file: string,
          flags: { out: string; vendor?: string; previous?: string; previousPlan?: string; json?: boolean },
        ) => {
          const folder = flags.previous ?? (readExportManifest(flags.out) ? flags.out : undefined)
          const manifest = folder === undefined ? undefined : readExportManifest(folder)
          if (folder !== undefined && manifest === undefined && flags.previousPlan === undefined) {
            throw new ConfigError(
              '--previous-plan',
              `${folder} has no ${EXPORT_MANIFEST}; give the plan it was exported from`,
            )
          }
          const previousPlan = flags.previousPlan ?? manifest?.plan
          const versions =
            manifest?.versions ??
            (folder !== undefined && flags.vendor !== undefined
              ? igluVersionsIn(folder, flags.vendor)
              : undefined)
          const result = exportPlanSchemas(file, {
            vendor: flags.vendor,
            ...(previousPlan === undefined ? {} : { previous: { plan: previousPlan, versions } }),
          })
          writeSchemaExport(result, flags.out)
          if (flags.json) {
            out(
              `${JSON.stringify(
                result.schemas.map(({ schema: _schema, ...rest }) => rest),
                null,
                2,
              )}\n`,
            )
          } else {
            for (const s of result.schemas) out(`${s.change.padEnd(9)} ${s.uri ?? s.path}\n`)
            const bumped = result.schemas.filter(
              (s) => s.change === 'additive' || s.change === 'breaking',
            ).length
            err(
              `wrote ${count(result.schemas.length, 'schema')} to ${flags.out} (${bumped} new version${bumped === 1 ? '' : 's'} of existing schemas)\n`,
            )
          }
          return 0
        },
      ),
    )

  lexiconFlags(
    plan
      .command('push')
      .description('Sync a plan into Mixpanel Lexicon (Lexicon Schemas API).')
      .argument('<plan>', 'plan file (JSON or YAML)')
      .option('--dry-run', 'print the schema entries instead of sending them')
      .option('--drop-deprecated', 'mark deprecated events and aliases dropped, not only hidden'),
  ).action(
    run(
      'push',
      async (file: string, flags: LexiconFlags & { dryRun?: boolean; dropDeprecated?: boolean }) => {
        if (flags.dryRun) {
          const result = await pushPlan(file, { dryRun: true, dropDeprecated: flags.dropDeprecated ?? false })
          out(`${JSON.stringify({ entries: result.entries }, null, 2)}\n`)
          for (const note of result.skipped) err(`skipped ${note}\n`)
          err(`dry run: ${count(result.entries.length, 'schema')} not sent\n`)
          return 0
        }
        const result = await pushPlan(file, {
          ...connection(flags, env),
          dropDeprecated: flags.dropDeprecated ?? false,
          clock: io.clock,
          transport: io.transport,
          logger,
        })
        for (const note of result.skipped) err(`skipped ${note}\n`)
        out(
          `pushed ${count(result.entries.length, 'schema')} in ${count(result.requests, 'request')}: ${result.added} added, ${result.deleted} deleted\n`,
        )
        return 0
      },
    ),
  )

  lexiconFlags(
    plan
      .command('pull')
      .description('Write a plan file from the schemas in Mixpanel Lexicon.')
      .option('-o, --out <file>', 'write to this file (.json, .yaml or .yml) instead of standard output')
      .option('--plan-version <version>', 'version of the plan written', '1.0.0')
      .option('--title <title>', 'title of the plan written'),
  ).action(
    run('pull', async (flags: LexiconFlags & { out?: string; planVersion: string; title?: string }) => {
      const result = await pullPlan({
        ...connection(flags, env),
        version: flags.planVersion,
        title: flags.title,
        clock: io.clock,
        transport: io.transport,
        logger,
      })
      const yaml = flags.out !== undefined && /^\.ya?ml$/i.test(extname(flags.out))
      const text = yaml ? stringify(result.document) : `${JSON.stringify(result.document, null, 2)}\n`
      if (flags.out === undefined) out(text)
      else {
        mkdirSync(dirname(flags.out), { recursive: true })
        writeFileSync(flags.out, text)
        err(`wrote ${flags.out} (${count(Object.keys(result.document.events).length, 'event')})\n`)
      }
      for (const f of [...result.lint.errors, ...result.lint.warnings])
        err(`${formatFinding(flags.out ?? '-', f)}\n`)
      return 0
    }),
  )
  return plan
}

function lexiconFlags(command: Command): Command {
  return command
    .option('--project-id <id>', 'Mixpanel project id (default: EVENTWIRE_PROJECT_ID)')
    .option(
      '--service-account <user:secret>',
      'service account (admin or owner role); default: EVENTWIRE_SERVICE_ACCOUNT',
    )
    .addOption(regionOption())
    .option(
      '--api-host <origin>',
      'origin to use instead of the region, e.g. http://127.0.0.1:4000 (default: EVENTWIRE_API_HOST)',
    )
}

/** The Lexicon connection from flags and the `EVENTWIRE_*` variables every command reads. */
function connection(flags: LexiconFlags, env: Readonly<Record<string, string | undefined>>) {
  const resolved = resolveConnection(flags, env)
  if (resolved.projectId === undefined)
    throw new ConfigError(
      '--project-id',
      'the Mixpanel project id is required (--project-id or EVENTWIRE_PROJECT_ID)',
    )
  if (resolved.account === undefined) {
    throw new ConfigError(
      '--service-account',
      'a service account is required (user:secret, or the EVENTWIRE_SERVICE_ACCOUNT environment variable)',
    )
  }
  return {
    projectId: requireProjectId(resolved),
    serviceAccount: resolved.account,
    region: resolved.region ?? 'us',
    ...(resolved.apiHost === undefined ? {} : { apiHost: resolved.apiHost }),
  }
}

function formatFinding(file: string, f: LintFinding): string {
  const at = f.line === undefined ? file : `${file}:${f.line}:${f.column ?? 1}`
  return `${at}  ${f.severity.padEnd(7)} ${f.rule.padEnd(24)} ${f.pointer || '/'}  ${f.message}`
}

function describeError(command: string, error: unknown): string {
  if (error instanceof PlanError) {
    const lines = error.problems.map((p) => `  ${formatProblem(p)}`)
    return `eventwire plan ${command}: invalid tracking plan ${error.file ?? ''}\n${lines.join('\n')}\n`
  }
  const code = isEventwireError(error) ? ` [${error.code}]` : ''
  return `eventwire plan ${command}: ${(error as Error)?.message ?? String(error)}${code}\n`
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
