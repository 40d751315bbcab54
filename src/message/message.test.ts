import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  adoptMessage,
  createMessage,
  draftMessage,
  isBuiltMessage,
  type Message,
  messageFromJson,
} from './index.js'

test('createMessage: the JSON is the body written once, its bytes its UTF-8 size', () => {
  const body = { event: 'Größe 日本 😀', properties: { token: 't', $insert_id: 'id-1' } }
  const message = createMessage('events', 'id-1', body, 5)
  assert.equal(message.json, JSON.stringify(body))
  assert.equal(message.bytes, Buffer.byteLength(message.json))
  assert.equal(message.body, body)
  assert.deepEqual(
    { id: message.id, kind: message.kind, createdAt: message.createdAt },
    { id: 'id-1', kind: 'events', createdAt: 5 },
  )
  assert.ok(isBuiltMessage(message))
})

test('createMessage and messageFromJson refuse what cannot be a message', () => {
  const body = { event: 'E', properties: {} }
  assert.throws(() => createMessage('nope' as never, 'id', body, 0), TypeError)
  assert.throws(() => createMessage('events', '', body, 0), TypeError)
  assert.throws(() => createMessage('events', 'id', body, Number.NaN), TypeError)
  assert.throws(() => createMessage('events', 'id', [1] as never, 0), TypeError)
  assert.throws(() => createMessage('events', 'id', { n: 1n } as never, 0), TypeError)
  assert.throws(() => messageFromJson('events', 'id', undefined as never, 0), TypeError)
})

test('messageFromJson: body parsed from the JSON when read, bytes measured from it', () => {
  const json = '{"event":"é","properties":{"n":1}}'
  const message = messageFromJson('people', 'p-1', json, 7)
  assert.equal(message.bytes, Buffer.byteLength(json))
  assert.deepEqual(message.body, { event: 'é', properties: { n: 1 } })
  assert.equal(message.body, message.body, 'parsed once')
  assert.equal(message.json, json)
})

test('a draft has its id when drafted and is rendered once, with that id, when first read', () => {
  const ids: string[] = []
  const render = (id: string): string => {
    ids.push(id)
    return `{"id":"${id}"}`
  }
  const message = draftMessage('events', 'fixed-1', { render }, 3)
  assert.equal(message.id, 'fixed-1')
  assert.equal(message.id, 'fixed-1', 'reading the id changes nothing')
  assert.deepEqual(ids, [], 'not rendered on the caller’s time')
  assert.equal(message.bytes, 16)
  assert.equal(message.json, '{"id":"fixed-1"}')
  assert.deepEqual(message.body, { id: 'fixed-1' })
  assert.deepEqual(ids, ['fixed-1'], 'rendered once')
  assert.deepEqual(JSON.parse(JSON.stringify(message)), {
    id: 'fixed-1',
    kind: 'events',
    body: { id: 'fixed-1' },
    createdAt: 3,
  })
})

test('a draft without an id draws one when first read, the same ever after, and renders with it', () => {
  const ids: string[] = []
  const render = (id: string): string => {
    ids.push(id)
    return `{"id":"${id}"}`
  }
  const readIdFirst = draftMessage('events', undefined, { render }, 1)
  const id = readIdFirst.id
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(readIdFirst.id, id)
  assert.equal(readIdFirst.json, `{"id":"${id}"}`)

  const renderedFirst = draftMessage('events', undefined, { render }, 2)
  const json = renderedFirst.json
  assert.equal(json, `{"id":"${renderedFirst.id}"}`, 'the JSON carries the id the message reports')
  assert.notEqual(renderedFirst.id, id)
  assert.deepEqual(ids, [id, renderedFirst.id], 'each rendered once, with its own id')
})

test('adoptMessage keeps built messages and rebuilds others from their JSON, else their body', () => {
  const built = createMessage('events', 'a', { event: 'A', properties: {} }, 0)
  assert.equal(adoptMessage(built), built)

  const misSized = { id: 'b', kind: 'events', json: '{"event":"😀"}', bytes: 3, body: {}, createdAt: 1 }
  const fromJson = adoptMessage(misSized)
  assert.ok(isBuiltMessage(fromJson))
  assert.equal(fromJson.json, misSized.json)
  assert.equal(fromJson.bytes, Buffer.byteLength(misSized.json))
  assert.deepEqual(fromJson.body, { event: '😀' }, 'the JSON is what is sent: the body follows it')

  const bodyOnly = adoptMessage({ id: 'c', kind: 'people', body: { $set: { a: 1 } }, createdAt: 2 })
  assert.equal(bodyOnly.json, '{"$set":{"a":1}}')
  assert.equal(bodyOnly.kind, 'people')
})

test('adoptMessage refuses what cannot be rebuilt', () => {
  const base = { id: 'x', kind: 'events', createdAt: 0 }
  for (const value of [
    null,
    'text',
    { ...base },
    { ...base, json: 'not JSON' },
    { ...base, json: '[1]' },
    { ...base, kind: 'nope', json: '{}' },
    { ...base, id: 1, json: '{}' },
  ]) {
    assert.throws(() => adoptMessage(value), Error, JSON.stringify(value))
  }
  const throwing = {
    ...base,
    get json(): string {
      throw new Error('no JSON here')
    },
  } as unknown as Message
  assert.throws(() => adoptMessage(throwing), /no JSON here/)
})
