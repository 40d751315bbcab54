import { type Clock, systemClock, type TimerHandle } from './clock.js'
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

/** What a stderr logger remembers of one message text. */
interface Window {
  /** When its last line was written. */
  at: number
  /** Lines held back since, and the fields of the latest of them. */
  held: number
  fields: Record<string, unknown>
  /** Writes the held lines' summary when the window ends. */
  timer: TimerHandle | undefined
}

/** Summaries still to write when the process exits (one per stderr logger holding lines back). */
const heldAtExit = new Set<() => void>()
let exitHooked = false

/**
 * The default logger: warnings and errors go to stderr as one line each (`eventwire: …`), at most
 * one line per message text per `intervalMs` ({@link STDERR_INTERVAL_MS}). Lines held back
 * meanwhile are not lost: when the interval ends, or the process exits first, the latest of them
 * is written with how many there were. Debug and info lines are dropped.
 */
export function createStderrLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
  clock: Pick<Clock, 'now' | 'setTimeout'> = systemClock,
  intervalMs: number = STDERR_INTERVAL_MS,
): Logger {
  const windows = new Map<string, Window>()
  const emit = (message: string, fields: Record<string, unknown>, held: number) => {
    const text = message.startsWith('eventwire') ? message : `eventwire: ${message}`
    const note = held > 1 ? ` (the last of ${held} similar lines held back)` : ''
    write(`${patternRedactor.text(`${text}${describeFields(fields)}${note}`)}\n`)
  }
  /** Writes the summary of what `message` held back, and starts a new window. */
  const release = (message: string) => {
    const window = windows.get(message)
    if (window === undefined || window.held === 0) return
    window.timer?.cancel()
    emit(message, window.fields, window.held)
    windows.set(message, { at: clock.now(), held: 0, fields: {}, timer: undefined })
    if (![...windows.values()].some((w) => w.held > 0)) heldAtExit.delete(releaseAll)
  }
  const releaseAll = () => {
    for (const message of [...windows.keys()]) release(message)
  }
  const log: LogFn = (fields, message) => {
    const at = clock.now()
    const window = windows.get(message)
    if (window !== undefined && at - window.at < intervalMs) {
      window.held++
      window.fields = fields
      window.timer ??= clock.setTimeout(() => release(message), window.at + intervalMs - at)
      holdAtExit(releaseAll)
      return
    }
    if (windows.size >= 1000) {
      releaseAll()
      windows.clear()
    }
    windows.set(message, { at, held: 0, fields: {}, timer: undefined })
    emit(message, fields, 0)
  }
  return { debug: noop, info: noop, warn: log, error: log }
}

/** Makes sure `release` runs if the process exits while lines are held back. */
function holdAtExit(release: () => void): void {
  heldAtExit.add(release)
  if (exitHooked || typeof process === 'undefined' || typeof process.once !== 'function') return
  exitHooked = true
  process.once('exit', () => {
    for (const flush of [...heldAtExit]) flush()
  })
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
