const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:[Zz]|[+-](\d\d):?(\d\d))$/
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * RFC 3339 date-time with a required offset (`2024-05-01T10:00:00.000Z`), calendar-checked
 * (leap years, a leap second allowed). One regex match, no `Date` parsing: it runs on every
 * event carrying a date, so it is several times faster than the general ajv-formats check.
 */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text)
  if (m === null) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]!) return false
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59)
}
