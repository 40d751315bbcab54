import { patternRedactor, type Redactor } from './redact.js'

/** One log method: pino's `(fields, message)` call shape. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void

/**
 * A pino-compatible logger. Pass `pino()` itself, or any object with these four methods.
 * eventwire never logs secrets (api secrets, service-account passwords, Authorization headers,
 * URL passwords): messages and string fields pass through its redactor first.
 */
export interface Logger {
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
}

/**
 * The `logger` option: a logger, or `false` to silence eventwire. Left out, warnings and errors
 * (dropped or finally failed messages, messages left at exit, refused calls) go to stderr.
 */
export type LoggerOption = Logger | false

const noop: LogFn = () => {}

/** A logger that discards everything (what `logger: false` selects). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }

/** Shortest time between two stderr lines with the same message, in milliseconds. */
export const STDERR_INTERVAL_MS = 10_000

/**
 * The default logger: warnings and errors go to stderr as one line each (`eventwire: …`), at most
 * one line per message text per {@link STDERR_INTERVAL_MS}; lines held back meanwhile are counted
 * in the next one. Debug and info lines are dropped.
 */
export function createStderrLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => number = Date.now,
): Logger {
  const last = new Map<string, { at: number; held: number }>()
  const log: LogFn = (fields, message) => {
    const at = now()
    const seen = last.get(message)
    if (seen !== undefined && at - seen.at < STDERR_INTERVAL_MS) {
      seen.held++
      return
    }
    const held = seen?.held ?? 0
    last.set(message, { at, held: 0 })
    if (last.size > 1000) last.clear()
    const text = message.startsWith('eventwire') ? message : `eventwire: ${message}`
    const line = `${text}${describeFields(fields)}${held > 0 ? ` (${held} similar line(s) held back)` : ''}`
    write(`${patternRedactor.text(line)}\n`)
  }
  return { debug: noop, info: noop, warn: log, error: log }
}

/** The stderr logger every eventwire object uses when no logger is given. */
export const stderrLogger: Logger = createStderrLogger()

/**
 * The logger an object uses for its `logger` option: the one given, silence for `false`, else
 * stderr. What is logged passes through `redactor` (patterns only by default; objects holding
 * credentials pass one that knows them): the message and every string field.
 */
export function resolveLogger(
  option: LoggerOption | undefined,
  redactor: Redactor = patternRedactor,
): Logger {
  if (option === false) return silentLogger
  const logger = option ?? stderrLogger
  if (logger === stderrLogger && !redactor.knowsSecrets) return logger
  return redacting(logger, redactor)
}

/** A logger whose lines pass through `redactor` before reaching `logger`. */
function redacting(logger: Logger, redactor: Redactor): Logger {
  const wrap =
    (log: LogFn): LogFn =>
    (fields, message) => {
      let clean = fields
      for (const [key, value] of Object.entries(fields)) {
        if (typeof value !== 'string') continue
        const text = redactor.text(value)
        if (text === value) continue
        if (clean === fields) clean = { ...fields }
        clean[key] = text
      }
      log.call(logger, clean, redactor.text(message))
    }
  return {
    debug: wrap(logger.debug),
    info: wrap(logger.info),
    warn: wrap(logger.warn),
    error: wrap(logger.error),
  }
}

function describeFields(fields: Record<string, unknown>): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code
      parts.push(`${key}=${typeof code === 'string' ? `${code}: ` : ''}${value.message}`)
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${key}=${value}`)
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      parts.push(`${key}=${value.join('|')}`)
    }
  }
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}
