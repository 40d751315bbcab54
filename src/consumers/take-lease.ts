import type { EventStore, Lease, LeaseOptions } from '../stores/index.js'
import type { Ledger } from './ledger.js'

/**
 * Takes a lease from `store`: undefined when nothing is ready, null when the store failed (then
 * reported). Messages the store removed as unreadable come with a lease (`dropped`, reason
 * `corrupt`): they are final, counted and reported here, and a lease of only those is followed by
 * another, so that damaged rows never hold back the messages after them.
 */
export async function takeLease(
  store: EventStore,
  ledger: Ledger,
  options: LeaseOptions,
): Promise<Lease | undefined | null> {
  try {
    for (;;) {
      const lease = await store.lease(options)
      const dropped = lease?.dropped ?? []
      if (dropped.length > 0) ledger.rejected(dropped)
      if (lease === undefined || lease.items.length > 0) return lease
      // Each such lease removed rows, so this ends; a lease of nothing at all means nothing is ready.
      if (dropped.length === 0) return undefined
    }
  } catch (error) {
    ledger.storeFailed(options.kind ?? 'events', 'lease', error)
    return null
  }
}
