import { after, before } from 'node:test'
import { RedisEventStore } from '../../src/stores/index.js'
import { runStoreContract } from '../../src/testing/store-contract.js'
import { type RedisServer, startRedis } from './redis-server.js'

let server: RedisServer
before(async () => {
  server = await startRedis()
})
after(() => server.stop())

runStoreContract({
  name: 'RedisEventStore',
  time: 'real',
  create: ({ capacity, key }) =>
    RedisEventStore.open({ redis: server.url, stream: key, blockPollMs: 20, ...capacity }),
  reopen: ({ capacity, key }) =>
    RedisEventStore.open({ redis: server.url, stream: key, blockPollMs: 20, ...capacity }),
})
