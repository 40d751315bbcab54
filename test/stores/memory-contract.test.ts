import { InMemoryEventStore } from '../../src/stores/index.js'
import { runStoreContract } from '../../src/testing/store-contract.js'

runStoreContract({
  name: 'InMemoryEventStore',
  create: ({ clock, capacity }) => new InMemoryEventStore({ clock, ...capacity }),
})
