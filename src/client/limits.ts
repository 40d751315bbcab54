import { ValidationError } from '../errors/index.js'

/** Mixpanel's documented limits, checked before a message is accepted. */
export const LIMITS = {
  /** Largest event or profile update, as UTF-8 JSON bytes (Mixpanel: "< 1 MB"). */
  maxMessageBytes: 1_000_000,
  /** Most properties on one event (Mixpanel: up to 255). */
  maxProperties: 255,
  /** Deepest nesting of objects and lists inside a property value (Mixpanel: 3). */
  maxDepth: 3,
  /** Most keys in a nested object and items in a list (Mixpanel: < 255). */
  maxCollection: 255,
  /**
   * Longest distinct id (and alias, anonymous id, group key and group id), in characters: Mixpanel
   * truncates strings to 255 characters, which would merge different users.
   */
  maxIdLength: 255,
  /** Longest event name, in characters (Mixpanel: names up to 255 characters). */
  maxNameLength: 255,
} as const

/**
 * Refuses more than Mixpanel's 255 properties at `path`; `count` includes the `defaults`
 * eventwire adds (none for a profile update).
 */
export function checkPropertyCount(count: number, defaults: number, path = 'properties'): void {
  if (count > LIMITS.maxProperties) {
    const what = defaults > 0 ? " including eventwire's defaults" : ''
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `${count} properties${what}, more than Mixpanel's limit of ${LIMITS.maxProperties}`,
      path,
    )
  }
}
