import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, test } from 'node:test'
import { closeOnSignals, type SignalTarget } from './close-on-signals.js'
import type { CloseOptions, CloseResult } from './consumer.js'

function fakeProcess() {
  const emitter = new EventEmitter()
  const kills: string[] = []
  const target: SignalTarget = {
    pid: 4242,
    on: (event, listener) => emitter.on(event, listener),
    off: (event, listener) => emitter.off(event, listener),
    listenerCount: (event) => emitter.listenerCount(event),
    kill: (_pid, signal) => kills.push(String(signal)),
  }
  return { emitter, target, kills }
}

function closeable() {
  const calls: Array<CloseOptions | undefined> = []
  const result: CloseResult = { sent: 3, failed: 0, dropped: 1, pending: 0 }
  const close = async (options?: CloseOptions) => {
    calls.push(options)
    return result
  }
  return { calls, result, close }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

describe('closeOnSignals', () => {
  test('SIGTERM closes once with the timeout, reports, removes its hooks and re-raises the signal', async () => {
    const { emitter, target, kills } = fakeProcess()
    const c = closeable()
    const reports: string[] = []
    closeOnSignals(c, {
      process: target,
      timeoutMs: 1234,
      onClose: (r, trigger) => reports.push(`${trigger}:${r.sent}`),
    })
    assert.equal(emitter.listenerCount('SIGTERM'), 1)
    assert.equal(emitter.listenerCount('SIGINT'), 1)
    assert.equal(emitter.listenerCount('beforeExit'), 1)
    emitter.emit('SIGTERM')
    await flush()
    assert.deepEqual(c.calls, [{ timeoutMs: 1234 }])
    assert.deepEqual(reports, ['SIGTERM:3'])
    assert.deepEqual(kills, ['SIGTERM'])
    assert.equal(
      emitter.listenerCount('SIGTERM') +
        emitter.listenerCount('SIGINT') +
        emitter.listenerCount('beforeExit'),
      0,
    )
  })

  test('does not re-raise a signal someone else handles; beforeExit closes without a kill', async () => {
    const one = fakeProcess()
    one.emitter.on('SIGINT', () => {})
    closeOnSignals(closeable(), { process: one.target })
    one.emitter.emit('SIGINT')
    await flush()
    assert.deepEqual(one.kills, [])
    const two = fakeProcess()
    const c = closeable()
    closeOnSignals(c, { process: two.target })
    two.emitter.emit('beforeExit')
    await flush()
    assert.equal(c.calls.length, 1)
    assert.deepEqual(two.kills, [])
  })

  test('the disposer removes the hooks; options choose the signals', () => {
    const { emitter, target } = fakeProcess()
    const dispose = closeOnSignals(closeable(), { process: target, signals: ['SIGHUP'], beforeExit: false })
    assert.equal(emitter.listenerCount('SIGHUP'), 1)
    assert.equal(emitter.listenerCount('SIGTERM'), 0)
    assert.equal(emitter.listenerCount('beforeExit'), 0)
    dispose()
    assert.equal(emitter.listenerCount('SIGHUP'), 0)
  })
})
