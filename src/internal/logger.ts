/** One log method: pino's `(fields, message)` call shape. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void

/**
 * A pino-compatible logger. Pass `pino()` itself, or any object with these four methods.
 * eventwire never logs secrets (api secrets, service-account passwords, Authorization headers).
 */
export interface Logger {
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
}

const noop: LogFn = () => {}

/** The default logger: discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
