import { EventEmitter } from 'node:events'

type Listener<T> = (payload: T) => void

/**
 * A typed wrapper over Node's EventEmitter. A listener that throws is caught and reported
 * through `onListenerError`, so observers can never break delivery.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  readonly #emitter = new EventEmitter()
  readonly #onListenerError: (error: unknown, event: string) => void

  constructor(onListenerError: (error: unknown, event: string) => void = () => {}) {
    this.#onListenerError = onListenerError
  }

  /** Subscribes `listener` to `event`. Returns a function that unsubscribes it. */
  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void {
    const wrapped = (payload: Events[K]) => {
      try {
        listener(payload)
      } catch (error) {
        this.#onListenerError(error, event)
      }
    }
    this.#emitter.on(event, wrapped)
    return () => this.#emitter.off(event, wrapped)
  }

  /** Subscribes `listener` for one emission of `event`. */
  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off()
      listener(payload)
    })
    return off
  }

  /** Emits `event`; returns whether anyone listened. */
  emit<K extends keyof Events & string>(event: K, payload: Events[K]): boolean {
    return this.#emitter.emit(event, payload)
  }

  /** Number of listeners on `event`. */
  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event)
  }
}
