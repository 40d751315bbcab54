import cliProgress from 'cli-progress'

/** Where progress goes: a stream (a TTY gets a live bar). */
export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
  /** Terminal width, when known. */
  columns?: number
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  stream: ProgressStream
  /** Command name shown first, e.g. `import`. */
  label: string
  /** What is counted: `events`, `rows`, `ids`. */
  unit: string
  /** Total input bytes, for the percentage and ETA; unknown when undefined. */
  totalBytes?: number
  /** Off: `update` and `stop` do nothing. @default true */
  enabled?: boolean
  /** Interval of the plain progress lines (not on a TTY), in milliseconds. @default 5000 */
  intervalMs?: number
}

/** Counts shown by the progress display. */
export interface ProgressCounts {
  /** Input bytes consumed so far. */
  bytes?: number
  /** Items processed (events, rows, ids). */
  items: number
  /** Items that failed. */
  failed?: number
}

/** A progress display: a cli-progress bar with rate and ETA on a TTY, periodic plain lines otherwise. */
export interface Progress {
  update(counts: ProgressCounts): void
  stop(): void
}

/** Creates a {@link Progress} for a long-running command. */
export function createProgress(options: ProgressOptions): Progress {
  if (options.enabled === false) return { update() {}, stop() {} }
  const started = Date.now()
  const rate = (items: number) => Math.round(items / Math.max(0.001, (Date.now() - started) / 1000))
  if (options.stream.isTTY === true) return barProgress(options, rate)
  let last: ProgressCounts = { items: 0 }
  const timer = setInterval(() => {
    options.stream.write(`${line(options, last, rate(last.items), started)}\n`)
  }, options.intervalMs ?? 5000)
  timer.unref()
  return {
    update(counts) {
      last = counts
    },
    stop() {
      clearInterval(timer)
    },
  }
}

function barProgress(options: ProgressOptions, rate: (items: number) => number): Progress {
  const known = options.totalBytes !== undefined && options.totalBytes > 0
  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream as NodeJS.WritableStream,
      format: known
        ? `${options.label} [{bar}] {percentage}% | {items} ${options.unit} | {rate}/s | {failed} failed | ETA {eta_formatted}`
        : `${options.label} {items} ${options.unit} | {rate}/s | {failed} failed | {duration_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(known ? options.totalBytes! : 1, 0, { items: 0, rate: 0, failed: 0 })
  return {
    update(counts) {
      bar.update(known ? Math.min(counts.bytes ?? 0, options.totalBytes!) : 0, {
        items: counts.items.toLocaleString('en-US'),
        rate: rate(counts.items).toLocaleString('en-US'),
        failed: (counts.failed ?? 0).toLocaleString('en-US'),
      })
    },
    stop() {
      bar.stop()
    },
  }
}

function line(options: ProgressOptions, counts: ProgressCounts, perSecond: number, started: number): string {
  const parts = [`${options.label}:`]
  const total = options.totalBytes
  const fraction =
    total !== undefined && total > 0 && counts.bytes !== undefined ? counts.bytes / total : undefined
  if (fraction !== undefined) parts.push(`${Math.min(100, Math.floor(fraction * 100))}%`)
  parts.push(
    `${counts.items.toLocaleString('en-US')} ${options.unit} (${perSecond.toLocaleString('en-US')}/s)`,
  )
  if (counts.failed) parts.push(`${counts.failed.toLocaleString('en-US')} failed`)
  if (fraction !== undefined && fraction > 0 && fraction < 1) {
    const elapsedS = (Date.now() - started) / 1000
    parts.push(`ETA ${formatSeconds((elapsedS / fraction) * (1 - fraction))}`)
  }
  return parts.join(' ')
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
