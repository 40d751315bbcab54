import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ClosedError, DeliveryError, type RejectedMessage } from '../errors/index.js'
import { createMessage, type Message, messageFromJson, waiterOf } from '../message/index.js'
import type { DeliveryReport } from './delivery-report.js'
import { ReportTicket, Tickets } from './tickets.js'

function message(id: string): Message {
  return createMessage('events', id, { event: 'e', properties: { $insert_id: id } }, 0)
}

/** A copy of `m`, as a durable store hands back. */
function copyOf(m: Message): Message {
  return messageFromJson(m.kind, m.id, m.json, m.createdAt)
}

/** Opens a ticket for `messages`; `reports` gets its report when it finishes. */
function open(tickets: Tickets, messages: Message | Message[]): DeliveryReport[] {
  const reports: DeliveryReport[] = []
  tickets.open(new ReportTicket(messages, (report) => reports.push(report)))
  return reports
}

const refusedError = new DeliveryError('EVENTWIRE_DELIVERY_FAILED', 'refused')
const exhaustedError = new DeliveryError('EVENTWIRE_RETRIES_EXHAUSTED', 'out of retries', {
  cause: new DeliveryError('EVENTWIRE_NETWORK_ERROR', 'down', { retryable: true }),
})

describe('Tickets', () => {
  for (const sameObjects of [true, false]) {
    test(`a call finishes once all its messages are final, with the caller's objects (same objects: ${sameObjects})`, () => {
      const tickets = new Tickets(sameObjects)
      const [a, b, c] = [message('a'), message('b'), message('c')]
      const reports = open(tickets, [a, b, c])
      const single = open(tickets, message('d'))
      assert.equal(tickets.size, 4)
      const back = (m: Message) => (sameObjects ? m : copyOf(m))
      tickets.settle([back(b)], undefined)
      assert.equal(reports.length, 0)
      const rejected: RejectedMessage[] = [
        { message: back(a), reason: 'rejected', error: refusedError },
        { message: back(c), reason: 'retries_exhausted', error: exhaustedError },
      ]
      tickets.settle([back(a), back(c)], rejected)
      assert.equal(reports.length, 1)
      const report = reports[0]!
      assert.deepEqual(report.delivered, [b])
      assert.equal(report.delivered[0], b, 'the caller’s own object')
      assert.equal(report.rejected[0]!.message, a)
      assert.equal(report.rejected[0]!.reason, 'rejected')
      assert.equal(report.undelivered[0], c)
      assert.equal(report.error?.code, 'EVENTWIRE_NETWORK_ERROR', 'the cause of the exhaustion')
      assert.equal(single.length, 0)
      assert.equal(tickets.size, 1)
      tickets.stop(new ClosedError())
      assert.equal(single.length, 1)
    })
  }

  test('a one-message call waits in its message’s note, cleared when it finishes', () => {
    const tickets = new Tickets(true)
    const m = message('a')
    const reports = open(tickets, m)
    assert.ok(waiterOf(m) !== undefined)
    tickets.settle([m], undefined)
    assert.equal(waiterOf(m), undefined)
    assert.equal(tickets.size, 0)
    assert.deepEqual(reports[0]!.delivered, [m])
    assert.deepEqual(reports[0]!.rejected, [])
  })

  test('the same message sent twice settles its calls in order, each once', () => {
    const tickets = new Tickets(true)
    const m = message('a')
    const first = open(tickets, m)
    const second = open(tickets, m)
    tickets.settle([m], [{ message: m, reason: 'rejected', error: refusedError }])
    assert.equal(first.length, 1)
    assert.equal(first[0]!.rejected.length, 1)
    assert.equal(second.length, 0)
    tickets.settle([m], undefined)
    assert.deepEqual(second[0]!.delivered, [m])
    assert.equal(first.length, 1)
    assert.equal(tickets.size, 0)
  })

  test('two engines sharing a message (fan-out) each settle their own call', () => {
    const one = new Tickets(true)
    const two = new Tickets(true)
    const m = message('a')
    const first = open(one, m)
    const second = open(two, m)
    const own = open(two, message('b'))
    two.settle([m], undefined)
    assert.equal(first.length, 0, 'the other engine’s call still waits')
    assert.equal(second.length, 1)
    one.settle([m], [{ message: m, reason: 'rejected', error: refusedError }])
    assert.equal(first[0]!.rejected.length, 1)
    assert.equal(one.size, 0)
    assert.equal(two.size, 1)
    two.stop(new ClosedError())
    assert.equal(own.length, 1)
  })

  test('stop() tells every waiting call which of its messages are undelivered', () => {
    const tickets = new Tickets(true)
    const [a, b, c] = [message('a'), message('b'), message('c')]
    const many = open(tickets, [a, b])
    const single = open(tickets, c)
    const other = open(tickets, message('d'))
    tickets.settle([a], undefined)
    const stopped = new ClosedError()
    tickets.stop(stopped)
    assert.deepEqual(many[0]!.delivered, [a])
    assert.deepEqual(many[0]!.undelivered, [b])
    assert.deepEqual(single[0]!.undelivered, [c])
    assert.equal(single[0]!.error, stopped)
    assert.equal(other.length, 1)
    assert.equal(waiterOf(c), undefined)
    assert.equal(tickets.size, 0)
    tickets.settle([b, c], undefined)
    assert.equal(many.length + single.length, 2, 'nothing finishes twice')
  })
})
