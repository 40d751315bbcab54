import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../errors/index.js'
import { appApiBase } from './origin.js'

test('the region, or a Mixpanel host of a region, means that region App API host', () => {
  assert.equal(appApiBase(undefined, undefined), 'https://mixpanel.com/api/app')
  assert.equal(appApiBase(undefined, 'in'), 'https://in.mixpanel.com/api/app')
  assert.equal(appApiBase('api-in.mixpanel.com', undefined), 'https://in.mixpanel.com/api/app')
  assert.equal(appApiBase('https://mixpanel.com/', 'eu'), 'https://mixpanel.com/api/app')
})

test('any other host is used as given, its path kept', () => {
  assert.equal(appApiBase('http://localhost:8787', 'eu'), 'http://localhost:8787/api/app')
  assert.equal(appApiBase('mixpanel.example.com/p', undefined), 'https://mixpanel.example.com/p/api/app')
  // Not a Mixpanel host over https: a receiver of its own.
  assert.equal(appApiBase('http://api-eu.mixpanel.com', undefined), 'http://api-eu.mixpanel.com/api/app')
})

test('a bad region or host is refused, naming the option', () => {
  for (const [host, region, option] of [
    [undefined, 'mars', 'region'],
    ['', undefined, 'apiHost'],
    ['ftp://files.example.com', undefined, 'apiHost'],
    ['https://user:pw@proxy.example.com', undefined, 'apiHost'],
  ] as const) {
    assert.throws(
      () => appApiBase(host, region),
      (e) => e instanceof ConfigError && e.option === option,
    )
  }
})
