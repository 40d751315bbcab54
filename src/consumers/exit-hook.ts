/** What the exit hook needs of a consumer. */
export interface ExitTarget {
  /** Messages accepted and not yet final. */
  readonly outstanding: number
  /** Delivers what is outstanding within `timeoutMs`, then stops; resolves with what is left. */
  closeForExit(timeoutMs: number): Promise<number>
  /** Reports messages left undelivered as the process exits (synchronously). */
  reportLeftAtExit(): void
}

interface Entry {
  readonly target: WeakRef<ExitTarget>
  readonly timeoutMs: number
}

const entries = new Set<Entry>()
let hooked = false

/**
 * Delivers what consumers accepted when a process ends without calling `close()`: when the event
 * loop empties (`beforeExit`), every registered consumer still holding messages is closed with
 * its `exitTimeoutMs` (the close keeps the process alive until it is done). When the process exits
 * with messages still undelivered (`exit`, also after `process.exit()`), each consumer says how
 * many on its logger. Consumers are held weakly: registering one never keeps it in memory.
 *
 * Returns a function that unregisters the consumer (called by its `close()`).
 */
export function registerForExit(target: ExitTarget, timeoutMs: number): () => void {
  const entry: Entry = { target: new WeakRef(target), timeoutMs }
  entries.add(entry)
  if (!hooked && typeof process?.on === 'function') {
    hooked = true
    process.on('beforeExit', onBeforeExit)
    process.on('exit', onExit)
  }
  return () => {
    entries.delete(entry)
  }
}

function onBeforeExit(): void {
  for (const entry of [...entries]) {
    const target = entry.target.deref()
    if (target === undefined) {
      entries.delete(entry)
      continue
    }
    if (target.outstanding === 0) continue
    // Closing unregisters the target, so each is closed once; the close holds the process alive.
    entries.delete(entry)
    if (entry.timeoutMs <= 0) {
      target.reportLeftAtExit()
      continue
    }
    void target.closeForExit(entry.timeoutMs).then((left) => {
      if (left > 0) target.reportLeftAtExit()
    })
  }
}

function onExit(): void {
  for (const entry of entries) {
    const target = entry.target.deref()
    if (target !== undefined && target.outstanding > 0) target.reportLeftAtExit()
  }
}
