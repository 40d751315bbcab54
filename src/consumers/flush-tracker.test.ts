import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createMessage, type Message } from '../internal/index.js'
import { FlushTracker } from './flush-tracker.js'

const msg = (id: string): Message => createMessage('events', id, { event: 'e', properties: {} }, 0)

/** Whether `promise` settled after pending microtasks ran. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false
  void promise.then(() => {
    done = true
  })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('FlushTracker', () => {
  test('wait() resolves once everything accepted before it is settled, not later messages', async () => {
    const tracker = new FlushTracker()
    const [a, b, c] = [msg('a'), msg('b'), msg('c')]
    tracker.accept(a)
    tracker.accept(b)
    const flushed = tracker.wait()
    tracker.accept(c)
    // The intake adds the bytes of what it takes once the messages are serialised.
    assert.equal(tracker.outstandingBytes, 0)
    tracker.addBytes(a.bytes + b.bytes + c.bytes)
    tracker.settle([a])
    assert.equal(await settled(flushed), false)
    tracker.settle([b])
    assert.equal(await settled(flushed), true, 'c was accepted after the call')
    assert.equal(tracker.outstanding, 1)
    assert.equal(tracker.outstandingBytes, c.bytes)
  })

  test('overlapping calls share a promise unless something was accepted in between', () => {
    const tracker = new FlushTracker()
    tracker.accept(msg('a'))
    const first = tracker.wait()
    assert.equal(tracker.wait(), first)
    tracker.accept(msg('b'))
    assert.notEqual(tracker.wait(), first)
  })

  test('resolves at once when nothing is outstanding; onIdle runs when the count drops to zero', async () => {
    let idle = 0
    const tracker = new FlushTracker(() => idle++)
    assert.equal(await settled(tracker.wait()), true)
    const a = msg('a')
    tracker.accept(a)
    tracker.settle([a])
    tracker.settle([])
    assert.equal(idle, 1)
  })

  test('reset(0) and releaseAll() resolve waiting flushes', async () => {
    const tracker = new FlushTracker()
    tracker.accept(msg('a'))
    const one = tracker.wait()
    tracker.reset(0)
    assert.equal(await settled(one), true)
    tracker.acceptUntracked(3)
    const two = tracker.wait()
    tracker.releaseAll()
    assert.equal(await settled(two), true)
    assert.equal(tracker.outstanding, 3)
  })
})
