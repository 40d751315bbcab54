/**
 * The two JsonLogic operations Mixpanel's runtime rules use beyond the standard set, with the same
 * semantics as Mixpanel's SDKs:
 * - `{"semver_compare": [actual, op, target]}`: Semantic Versioning 2.0.0 ordering; a leading `v`
 *   is dropped and missing minor/patch parts count as 0 (`"2"` is `2.0.0`);
 * - `{"datetime_compare": [actual, op, targetEpochMs]}`: `actual` is an RFC 3339 date-time,
 *   compared to the target at one-second resolution.
 * `op` is one of `===`, `!==`, `<`, `<=`, `>`, `>=`. Anything malformed makes the operation false.
 */

const COMPARATORS = new Set(['===', '!==', '<', '<=', '>', '>='])

// The official SemVer 2.0.0 regular expression.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

// Same bound as node-semver's MAX_LENGTH: a longer operand is not a version.
const MAX_SEMVER_LENGTH = 256

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

// Epoch milliseconds must fit an int64, as on the server.
const MAX_EPOCH_MS = 2 ** 63

/** Whether comparison result `cmp` (negative, zero, positive) satisfies `op`. */
export function comparatorMatches(cmp: number, op: unknown): boolean {
  switch (op) {
    case '===':
      return cmp === 0
    case '!==':
      return cmp !== 0
    case '<':
      return cmp < 0
    case '<=':
      return cmp <= 0
    case '>':
      return cmp > 0
    case '>=':
      return cmp >= 0
    default:
      return false
  }
}

/** `semver_compare(actual, op, target)`. */
export function semverCompare(...args: unknown[]): boolean {
  if (args.length !== 3) return false
  const [actual, op, target] = args
  const a = parseSemver(actual)
  const b = parseSemver(target)
  return a !== undefined && b !== undefined && comparatorMatches(compareSemver(a, b), op)
}

/**
 * `semver_compare(actual, op, target)` with `op` and `target` fixed, as a test of `actual`: the
 * target is parsed once, and the answers for recent values of `actual` are remembered.
 */
export function semverMatcher(op: unknown, target: unknown): (actual: unknown) => boolean {
  const b = parseSemver(target)
  if (b === undefined || !COMPARATORS.has(op as string)) return () => false
  return remembered((actual) => {
    const a = parseSemver(actual)
    return a !== undefined && comparatorMatches(compareSemver(a, b), op)
  })
}

/** `datetime_compare(actual, op, targetEpochMs)`. */
export function datetimeCompare(...args: unknown[]): boolean {
  if (args.length !== 3) return false
  const [actual, op, target] = args
  const actualSec = rfc3339ToUnixSeconds(actual)
  const targetSec = epochMsToSeconds(target)
  if (actualSec === null || targetSec === null) return false
  return comparatorMatches(actualSec - targetSec, op)
}

/** `datetime_compare(actual, op, targetEpochMs)` with `op` and the target fixed, as a test of `actual`. */
export function datetimeMatcher(op: unknown, target: unknown): (actual: unknown) => boolean {
  const targetSec = epochMsToSeconds(target)
  if (targetSec === null || !COMPARATORS.has(op as string)) return () => false
  return remembered((actual) => {
    const actualSec = rfc3339ToUnixSeconds(actual)
    return actualSec !== null && comparatorMatches(actualSec - targetSec, op)
  })
}

// Versions and dates repeat across users, and parsing them costs far more than a lookup. Short
// strings only, and a bounded number of them, so memory stays small whatever the input.
const REMEMBERED_LENGTH = 64
const REMEMBERED_COUNT = 512

function remembered(test: (actual: unknown) => boolean): (actual: unknown) => boolean {
  const answers = new Map<string, boolean>()
  return (actual) => {
    if (typeof actual !== 'string' || actual.length > REMEMBERED_LENGTH) return test(actual)
    let answer = answers.get(actual)
    if (answer === undefined) {
      answer = test(actual)
      if (answers.size >= REMEMBERED_COUNT) answers.clear()
      answers.set(actual, answer)
    }
    return answer
  }
}

// The normalized version, or undefined when `version` is not one.
function parseSemver(version: unknown): string | undefined {
  if (typeof version !== 'string' || version.length > MAX_SEMVER_LENGTH) return undefined
  const normalized = normalizeSemver(version)
  return SEMVER.test(normalized) ? normalized : undefined
}

function normalizeSemver(version: string): string {
  const stripped = version.trim().replace(/^[vV]/, '')
  let suffixStart = stripped.length
  for (const separator of ['-', '+']) {
    const index = stripped.indexOf(separator)
    if (index !== -1 && index < suffixStart) suffixStart = index
  }
  const parts = stripped.slice(0, suffixStart).split('.')
  while (parts.length < 3) parts.push('0')
  return parts.join('.') + stripped.slice(suffixStart)
}

function splitSemver(version: string): { core: string[]; prerelease: string[] } {
  const plus = version.indexOf('+')
  const v = plus === -1 ? version : version.slice(0, plus)
  const dash = v.indexOf('-')
  if (dash === -1) return { core: v.split('.'), prerelease: [] }
  return { core: v.slice(0, dash).split('.'), prerelease: v.slice(dash + 1).split('.') }
}

// Numeric identifiers have no leading zeros, so the longer digit run is the larger number; comparing
// digits keeps versions past Number.MAX_SAFE_INTEGER ordered.
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

function compareIdentifier(a: string, b: string): number {
  const aNum = /^[0-9]+$/.test(a)
  const bNum = /^[0-9]+$/.test(b)
  if (aNum && bNum) return compareNumeric(a, b)
  if (aNum) return -1
  if (bNum) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

function compareSemver(actual: string, target: string): number {
  const a = splitSemver(actual)
  const b = splitSemver(target)
  for (let i = 0; i < a.core.length; i++) {
    const cmp = compareNumeric(a.core[i]!, b.core[i]!)
    if (cmp !== 0) return cmp
  }
  // A pre-release ranks below its release; otherwise fields compare in order, then by count.
  if (a.prerelease.length === 0 && b.prerelease.length === 0) return 0
  if (a.prerelease.length === 0) return 1
  if (b.prerelease.length === 0) return -1
  const shared = Math.min(a.prerelease.length, b.prerelease.length)
  for (let i = 0; i < shared; i++) {
    const cmp = compareIdentifier(a.prerelease[i]!, b.prerelease[i]!)
    if (cmp !== 0) return cmp
  }
  return Math.sign(a.prerelease.length - b.prerelease.length)
}

function rfc3339ToUnixSeconds(value: unknown): number | null {
  if (typeof value !== 'string') return null
  const normalized = value.trim().toUpperCase()
  const fields = RFC3339.exec(normalized)
  if (!fields) return null
  const [year, month, day, hour] = [fields[1], fields[2], fields[3], fields[4]].map(Number) as [
    number,
    number,
    number,
    number,
  ]
  if (hour > 23) return null
  // Rejects dates that do not exist (2026-02-30) by round-tripping the fields through a Date.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null
  }
  const ms = Date.parse(normalized)
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

function epochMsToSeconds(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  if (value >= MAX_EPOCH_MS || value <= -MAX_EPOCH_MS) return null
  return Math.trunc(value / 1000)
}
