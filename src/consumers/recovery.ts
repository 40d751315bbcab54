import { DeliveryError } from '../errors/index.js'
import type { EventStore } from '../stores/index.js'
import type { Batcher } from './batcher.js'
import type { Ledger } from './ledger.js'

/** Messages a flush kept undelivered go back to the store, to be sent with the next one. */
export async function unpark(store: EventStore, ledger: Ledger, batcher: Batcher): Promise<void> {
  const parked = ledger.unpark()
  if (parked.length === 0) return
  try {
    const result = await store.add(parked)
    if (result.dropped.length > 0) {
      ledger.dropped(
        result.dropped,
        'queue_full',
        new DeliveryError('EVENTWIRE_QUEUE_FULL', 'the event store is full'),
      )
    }
    const dropped = new Set(result.dropped)
    batcher.added(
      parked.filter((m) => !dropped.has(m)),
      [],
    )
  } catch (error) {
    ledger.dropped(parked, 'store_failed', ledger.storeFailed(parked[0]!.kind, 'add', error, parked))
  }
}

/** Counts messages a durable store already holds, so flush() and close() wait for them too. */
export async function recover(store: EventStore, ledger: Ledger, batcher: Batcher): Promise<void> {
  try {
    const size = await store.size()
    if (size.count > 0) {
      ledger.acceptRecovered(size.count)
      batcher.drain()
    }
  } catch (error) {
    ledger.storeFailed('events', 'size', error)
  }
}
