import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { parseCsvRecord } from './csv.js'
import { describeInput, readRecords, type SourceRecord } from './record-source.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-records-'))
let n = 0

function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${n++}-${name}`)
  writeFileSync(path, content)
  return path
}

async function read(
  path: string,
  options: Parameters<typeof readRecords>[1] = {},
): Promise<{ records: SourceRecord[]; header?: readonly string[] }> {
  const records: SourceRecord[] = []
  let header: readonly string[] | undefined
  for await (const chunk of readRecords(describeInput(path), options)) {
    records.push(...chunk.records)
    header = chunk.csvHeader
  }
  return { records, header }
}

const CSV =
  'id,name,note\r\n1,Ann,"a, b"\r\n2,"Bob ""B""","multi\nline"\n\n3,,"x"\n4,bad\n5,"unterminated,x\n'

describe('readRecords', () => {
  test('CSV: quoted fields, escaped quotes, CRLF, line breaks in quotes, empty cells, bad rows', async () => {
    const { records, header } = await read(file('a.csv', CSV))
    assert.deepEqual(header, ['id', 'name', 'note'])
    assert.deepEqual(
      records.map((r) => [r.line, r.value ?? r.error]),
      [
        [2, { id: '1', name: 'Ann', note: 'a, b' }],
        [3, { id: '2', name: 'Bob "B"', note: 'multi\nline' }],
        [6, { id: '3', note: 'x' }],
        [7, 'expected 3 fields (as in the header), found 2'],
        [8, 'unterminated quoted field'],
      ],
    )
  })

  test('every chunk size gives the same records, and resuming at any record end continues exactly', async () => {
    const inputs = [
      file('b.csv', CSV),
      file('b.ndjson', '{"a":1}\n\n{"a":"x\\ny"}\r\nnot json\n{"a":3}'),
      file('b.json', ' [ {"a": [1, {"b": "]"}]} ,\n 2 , "s\\"," ,{"c":{}}\n]\n'),
      file('b.json.gz', gzipSync('[{"a":1},{"a":2},{"a":3}]')),
    ]
    for (const path of inputs) {
      const whole = await read(path)
      for (let size = 1; size <= 9; size++) {
        const chunked = await read(path, { chunkBytes: size })
        assert.deepEqual(chunked.records, whole.records, `${path} in chunks of ${size}`)
      }
      for (const [i, record] of whole.records.entries()) {
        const rest = await read(path, {
          startOffset: record.end,
          startLine: record.linesBefore,
          csvHeader: whole.header,
          chunkBytes: 3,
        })
        assert.deepEqual(rest.records, whole.records.slice(i + 1), `${path} resumed after record ${i}`)
      }
    }
  })

  test('JSON arrays are recognised by their first byte; a broken array is an input error', async () => {
    const array = await read(file('c.json', '\uFEFF[{"event":"a"},{"event":"b"}]'))
    assert.deepEqual(
      array.records.map((r) => r.value),
      [{ event: 'a' }, { event: 'b' }],
    )
    assert.equal(describeInput(file('d.json', '{"event":"a"}\n{"event":"b"}\n')).format, 'ndjson')
    await assert.rejects(read(file('e.json', '[{"a":1} {"b":2}]')), { code: 'EVENTWIRE_INPUT_UNREADABLE' })
    await assert.rejects(read(file('f.json', '[{"a":1},')), { code: 'EVENTWIRE_INPUT_UNREADABLE' })
    assert.throws(() => describeInput(join(dir, 'missing.ndjson')), { code: 'EVENTWIRE_INPUT_UNREADABLE' })
  })

  test('any CSV table survives a round trip through quoting, in any chunk size', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', '€') })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        async (rows, size) => {
          const quote = (v: string) => `"${v.replace(/"/g, '""')}"`
          const text = `x,y\n${rows.map(([x, y]) => `${quote(x)},${quote(y)}`).join('\n')}\n`
          const { records } = await read(file('g.csv', text), { chunkBytes: size })
          const expected = rows.map(([x, y]) =>
            Object.fromEntries(Object.entries({ x, y }).filter(([, v]) => v !== '')),
          )
          assert.deepEqual(
            records.map((r) => r.value),
            expected,
          )
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('parseCsvRecord', () => {
  test('splits fields and reports malformed quoting', () => {
    assert.deepEqual(parseCsvRecord('a,"b,c",,"d""e"'), ['a', 'b,c', '', 'd"e'])
    assert.deepEqual(parseCsvRecord('a,'), ['a', ''])
    assert.deepEqual(parseCsvRecord('a;b', ';'), ['a', 'b'])
    assert.deepEqual(parseCsvRecord('ab"c,d'), ['ab"c', 'd'])
    assert.deepEqual(parseCsvRecord('"a"x,b'), {
      error: 'unexpected text after the closing quote of field 1',
    })
  })
})
