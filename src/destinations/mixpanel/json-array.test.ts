import assert from 'node:assert/strict'
import { test } from 'node:test'
import { adoptMessage, createMessage, type Message } from '../../message/index.js'
import { jsonArray } from './mixpanel-destination.js'

function event(n: number, name: string): Message {
  return createMessage('events', `id-${n}`, { event: name, properties: { token: 't', n } }, 0)
}

/** A hand-made message whose `bytes` does not match its JSON. */
function misSized(json: string, bytes: number): Message {
  return { id: 'x', kind: 'events', body: JSON.parse(json), json, bytes, createdAt: 0 }
}

test('the JSON array of the messages, written as UTF-8 bytes', () => {
  const messages = [event(1, 'Signed up'), event(2, 'Größe 日本 😀'), event(3, '')]
  const body = jsonArray(messages)
  assert.equal(body.toString('utf8'), `[${messages.map((m) => m.json).join(',')}]`)
  assert.deepEqual(
    JSON.parse(body.toString('utf8')).map((e: { event: string }) => e.event),
    ['Signed up', 'Größe 日本 😀', ''],
  )
  assert.equal(body.length, messages.reduce((n, m) => n + m.bytes, 0) + messages.length + 1)
  assert.equal(jsonArray([]).toString(), '[]')
})

test('a hand-made message whose bytes do not match its JSON, taken as consumers take it, gives the exact array', () => {
  const good = event(1, 'ok')
  for (const bad of [
    misSized('{"event":"é"}', 12),
    misSized('{"event":"é"}', 20),
    misSized('{"event":"😀😀"}', 13),
  ]) {
    for (const messages of [[bad], [good, bad], [bad, good]]) {
      // A consumer rebuilds a message it did not build once, when it takes it (adoptMessage).
      const taken = messages.map(adoptMessage)
      assert.equal(jsonArray(taken).toString('utf8'), `[${messages.map((m) => m.json).join(',')}]`)
    }
  }
})
