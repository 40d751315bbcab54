// close() of every consumer checks its options whole, as the constructors do: a misspelt key
// rejects the call (never a synchronous throw, never an unhandled rejection) and closes nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BatchConsumer, BufferedConsumer, ConfigError, Consumer, Mixpanel } from '../../src/index.js'
import { startTestReceiver } from '../../src/testing/index.js'

const makers = {
  Consumer: (apiHost: string) => new Consumer({ apiHost }),
  BufferedConsumer: (apiHost: string) => new BufferedConsumer({ apiHost }),
  BatchConsumer: (apiHost: string) => new BatchConsumer({ apiHost }),
}

for (const [name, make] of Object.entries(makers)) {
  test(`${name}.close() with a misspelt option rejects naming it, and the consumer stays open`, async () => {
    const receiver = await startTestReceiver()
    const consumer = make(receiver.origin)
    let closing: Promise<unknown> | undefined
    assert.doesNotThrow(() => {
      closing = consumer.close({ timeoutMS: 10 } as never)
    })
    const error = await closing!.catch((e: unknown) => e)
    assert.ok(error instanceof ConfigError, String(error))
    assert.equal(error.option, 'timeoutMS')
    assert.equal(error.suggestion, 'timeoutMs')
    assert.match(error.message, new RegExp(`${name}\\.close`))
    const mp = new Mixpanel('tok', { consumer })
    await mp.track('u1', 'Still open')
    await consumer.flush()
    assert.equal(receiver.delivered('/track').length, 1, 'the consumer was not closed')
    const result = await consumer.close({ timeoutMs: 1_000 })
    assert.equal(result.sent, 1)
    await receiver.close()
  })
}
