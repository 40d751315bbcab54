import type { Command } from 'commander'
import { ConfigError } from '../errors/index.js'
import {
  type FlagContext,
  LocalFlagsProvider,
  RemoteFlagsProvider,
  type VariantResult,
} from '../flags/index.js'
import {
  action,
  addConnectionOptions,
  type CliIo,
  EXIT,
  importAccount,
  requireToken,
  resolveConnection,
} from './common-options.js'

interface EvaluateFlags {
  user?: string
  context?: string
  definitions?: string
  remote?: boolean
  json?: boolean
}

/**
 * Registers `eventwire flags evaluate <flag> --user <id>`: evaluates one flag for one user, locally
 * from a definitions file or Mixpanel's definitions, or remotely (`--remote`), and tells which
 * variant was chosen and why. No exposure event is sent. Exit codes: 0 a variant was chosen, 1 the
 * caller's fallback would be used (flag unknown, no rollout matched, flags unavailable), 2 bad
 * options.
 */
export function registerFlagsCommand(program: Command, io: CliIo = {}): Command {
  const flags = program.command('flags').description('Feature flags: evaluate a flag for a user.')
  addConnectionOptions(
    flags
      .command('evaluate')
      .description('Evaluate a flag for one user, as Mixpanel SDKs would, and say why.')
      .argument('<flag>', 'the flag key')
      .requiredOption('--user <distinct-id>', 'the distinct_id to evaluate for')
      .option('--context <json>', 'more evaluation context, e.g. {"custom_properties":{"plan":"pro"}}')
      .option('--definitions <file>', 'flag definitions (a JSON file); without it, fetched from Mixpanel')
      .option('--remote', "ask Mixpanel's /flags endpoint instead of evaluating locally"),
  )
    .option('--json', 'print the result as JSON')
    .action(
      action(io, 'flags evaluate', async (output, rawFlags, key: string) => {
        const options = rawFlags as EvaluateFlags
        const context = evaluationContext(options)
        const result = await evaluate(key, context, options, rawFlags, io)
        if (options.json) output.out(`${JSON.stringify({ flag: key, ...result })}\n`)
        else output.out(`${describeResult(key, result)}\n`)
        return result.source === 'fallback' ? EXIT.failed : EXIT.ok
      }),
    )
  return flags
}

function evaluationContext(options: EvaluateFlags): FlagContext {
  let extra: Record<string, unknown> = {}
  if (options.context !== undefined) {
    try {
      extra = JSON.parse(options.context) as Record<string, unknown>
    } catch (error) {
      throw new ConfigError('--context', `not JSON: ${(error as Error).message}`)
    }
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
      throw new ConfigError('--context', 'expected a JSON object')
    }
  }
  return { ...extra, distinct_id: options.user! }
}

async function evaluate(
  key: string,
  context: FlagContext,
  options: EvaluateFlags,
  rawFlags: Record<string, unknown>,
  io: CliIo,
): Promise<VariantResult> {
  const local = options.remote !== true
  if (!local && options.definitions !== undefined) {
    throw new ConfigError('--remote', 'evaluates on Mixpanel: it takes no --definitions')
  }
  const connection = options.definitions === undefined ? resolveConnection(rawFlags, io.env) : undefined
  const where = {
    token: connection === undefined ? 'local-definitions' : requireToken(connection),
    apiHost: connection?.apiHost,
    region: connection?.region,
    serviceAccount: connection === undefined ? undefined : importAccount(connection),
    reportExposure: false,
    logger: false as const,
    clock: io.clock,
  }
  if (!local) {
    const provider = new RemoteFlagsProvider({ ...where, retryLimit: 2 })
    try {
      return await provider.getVariant(key, undefined, context)
    } finally {
      await provider.shutdown()
    }
  }
  const provider = new LocalFlagsProvider({
    ...where,
    definitions: options.definitions,
    enablePolling: false,
  })
  try {
    await provider.ready().catch(() => {})
    return provider.getVariant(key, undefined, context)
  } finally {
    await provider.shutdown()
  }
}

/** One line: the variant and its value, or why the fallback would be used. */
function describeResult(key: string, result: VariantResult): string {
  if (result.source === 'fallback') {
    return `${key}: no variant (${result.reason}${result.message ? `: ${result.message}` : ''}); the caller's fallback applies`
  }
  const how = result.isQaTester ? 'as a test user' : `by ${result.source} evaluation`
  const experiment =
    result.experimentId === undefined
      ? ''
      : `; experiment ${result.experimentId}${result.isExperimentActive ? ' (active)' : ''}`
  return `${key}: variant "${result.variantKey}" = ${JSON.stringify(result.value)} (${how}${experiment})`
}
