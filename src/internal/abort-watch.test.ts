import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { describe, it } from 'node:test'
import { watchAbort } from './abort-watch.js'

describe('watchAbort', () => {
  it('tells every watch still registered, once, with the reason, in order', () => {
    const controller = new AbortController()
    const calls: string[] = []
    const watches = ['a', 'b', 'c', 'd'].map((name) =>
      watchAbort(controller.signal, { onAbort: (reason) => calls.push(`${name}:${String(reason)}`) }),
    )
    watches[1]!.cancel()
    watches[3]!.cancel()
    watches[3]!.cancel()
    controller.abort('deadline')
    controller.abort('again')
    assert.deepEqual(calls, ['a:deadline', 'c:deadline'])
    // Cancelling after the signal fired does nothing.
    watches[0]!.cancel()
  })

  it('adds one listener to a signal however many operations watch it', () => {
    const controller = new AbortController()
    const watches = Array.from({ length: 1000 }, () => watchAbort(controller.signal, { onAbort() {} }))
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    for (const watch of watches) watch.cancel()
    const other = new AbortController()
    watchAbort(other.signal, { onAbort() {} })
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    assert.equal(getEventListeners(other.signal, 'abort').length, 1)
  })

  it('lets a target cancel a later watch while the signal fires', () => {
    const controller = new AbortController()
    const calls: string[] = []
    const later = { watch: undefined as ReturnType<typeof watchAbort> | undefined }
    watchAbort(controller.signal, {
      onAbort() {
        calls.push('first')
        later.watch?.cancel()
      },
    })
    later.watch = watchAbort(controller.signal, { onAbort: () => calls.push('second') })
    watchAbort(controller.signal, { onAbort: () => calls.push('third') })
    controller.abort()
    assert.deepEqual(calls, ['first', 'third'])
  })
})
