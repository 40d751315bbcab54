import { EventEmitter } from 'node:events'

type Listener<T> = (payload: T) => void

/** The typed listener methods of a {@link TypedEmitter}: each event has one payload. */
export interface TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this
  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this
  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this
  addListener<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this
  removeListener<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this
  prependListener<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this
}

/**
 * A Node `EventEmitter` with typed events (`on`, `once`, `off`, `events.once(emitter, name)` and
 * `events.on(emitter, name)` all work), whose listeners can never break eventwire: a listener that
 * throws is reported through `onListenerError` and the other listeners still run. Emitting an
 * event nobody listens to — `error` included — does nothing.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above types the inherited listener methods
export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> extends EventEmitter {
  #onListenerError: (error: unknown, event: string) => void

  constructor(onListenerError: (error: unknown, event: string) => void = () => {}) {
    super()
    this.#onListenerError = onListenerError
  }

  /** Replaces the reporter of listeners that throw (for subclasses that learn their logger later). */
  protected reportListenerErrors(report: (error: unknown, event: string) => void): void {
    this.#onListenerError = report
  }

  /** Emits a typed event: see {@link emit}. */
  notify<K extends keyof Events & string>(event: K, payload: Events[K]): boolean {
    return this.emit(event, payload)
  }

  /** Calls every listener of `event`; returns whether there was any. Never throws. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const listeners = this.rawListeners(event) as Array<(...args: unknown[]) => void>
    if (listeners.length === 0) return false
    for (const listener of listeners) {
      try {
        listener.apply(this, args)
      } catch (error) {
        this.#onListenerError(error, String(event))
      }
    }
    return true
  }
}
