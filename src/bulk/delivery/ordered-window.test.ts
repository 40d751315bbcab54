import assert from 'node:assert/strict'
import { test } from 'node:test'
import { OrderedWindow } from './ordered-window.js'

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

test('commits in submission order and never lets more than `size` batches be outstanding', async () => {
  const pending = new Map<number, ReturnType<typeof deferred<string>>>()
  const committed: number[] = []
  const window = new OrderedWindow<number, string>(
    3,
    (n) => {
      const d = deferred<string>()
      pending.set(n, d)
      return d.promise
    },
    (n, result) => {
      committed.push(n)
      assert.equal(result, `r${n}`)
      return true
    },
  )
  for (const n of [0, 1, 2]) assert.equal(await window.submit(n), true)
  let fourthStarted = false
  const fourth = window.submit(3).then(() => {
    fourthStarted = true
  })
  pending.get(2)!.resolve('r2')
  pending.get(1)!.resolve('r1')
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(committed, [], 'later batches wait for the first')
  assert.equal(fourthStarted, false, 'the window is full until the oldest batch is committed')
  pending.get(0)!.resolve('r0')
  await fourth
  assert.deepEqual(committed, [0, 1, 2])
  assert.equal(window.outstanding, 1)
  pending.get(3)!.resolve('r3')
  await window.drain()
  assert.deepEqual(committed, [0, 1, 2, 3])
})

test('a commit returning false stops the window: later results are discarded, submit refuses', async () => {
  const committed: number[] = []
  const window = new OrderedWindow<number, number>(
    4,
    async (n) => n,
    (n) => {
      committed.push(n)
      return n !== 1
    },
  )
  for (const n of [0, 1, 2]) await window.submit(n)
  await window.drain()
  assert.deepEqual(committed, [0, 1])
  assert.equal(window.stopped, true)
  assert.equal(await window.submit(9), false)
})

test('submit gives up waiting for room when its signal aborts', async () => {
  const window = new OrderedWindow<number, number>(
    1,
    () => new Promise<number>(() => {}),
    () => true,
  )
  assert.equal(await window.submit(0), true)
  const controller = new AbortController()
  const waiting = window.submit(1, controller.signal)
  controller.abort()
  assert.equal(await waiting, false)
  assert.equal(window.outstanding, 1, 'the second batch never started')
})
