import type { ErrorCode, ResolutionDetails } from '@openfeature/server-sdk'
import type { VariantResult } from '../flags/index.js'
import { sdk } from './sdk.js'

/** The OpenFeature flag types. */
export type FlagType = 'boolean' | 'string' | 'number' | 'object'

/**
 * Whether a variant value serves a request of `type`. Numbers: any finite number serves a number
 * request (JavaScript has one number type, so a whole-number float is an integer); booleans and
 * numeric strings never do. Objects: JSON objects and arrays; not null or primitives.
 */
export function matchesType(value: unknown, type: FlagType): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean'
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'object':
      return typeof value === 'object' && value !== null
  }
}

/**
 * Maps an evaluation result to OpenFeature's resolution details:
 * - a variant of the right type → its value, `variant` = variant key, reason `TARGETING_MATCH`,
 *   `flagMetadata` with `source`, `experimentId`, `isExperimentActive`, `isQaTester`;
 * - a variant of another type → `TYPE_MISMATCH`, reason `ERROR`;
 * - `NO_ROLLOUT_MATCH` → the default value, reason `DEFAULT`, no error;
 * - `FLAG_NOT_FOUND` → `FLAG_NOT_FOUND`, reason `DEFAULT`;
 * - `MISSING_CONTEXT_KEY` → `TARGETING_KEY_MISSING`, reason `ERROR`;
 * - `NOT_READY` → `PROVIDER_NOT_READY`, reason `ERROR`;
 * - `BACKEND_ERROR` (and anything else) → `GENERAL`, reason `ERROR`, with the message.
 */
export function toResolution<T>(
  flagKey: string,
  result: VariantResult,
  defaultValue: T,
  type: FlagType,
): ResolutionDetails<T> {
  if (result.source !== 'fallback') {
    if (!matchesType(result.value, type)) {
      return failure(
        defaultValue,
        sdk.ErrorCode.TYPE_MISMATCH,
        `flag "${flagKey}" has ${describeType(result.value)} value for variant "${result.variantKey}", not ${article(type)}`,
      )
    }
    const flagMetadata: Record<string, string | boolean> = { source: result.source }
    if (result.experimentId !== undefined) flagMetadata.experimentId = result.experimentId
    if (result.isExperimentActive !== undefined) flagMetadata.isExperimentActive = result.isExperimentActive
    if (result.isQaTester !== undefined) flagMetadata.isQaTester = result.isQaTester
    return {
      value: result.value as T,
      variant: result.variantKey,
      reason: sdk.StandardResolutionReasons.TARGETING_MATCH,
      flagMetadata,
    }
  }
  switch (result.reason) {
    case 'NO_ROLLOUT_MATCH':
      return { value: defaultValue, reason: sdk.StandardResolutionReasons.DEFAULT }
    case 'FLAG_NOT_FOUND':
      return {
        value: defaultValue,
        reason: sdk.StandardResolutionReasons.DEFAULT,
        errorCode: sdk.ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `flag "${flagKey}" was not found`,
      }
    case 'MISSING_CONTEXT_KEY':
      return failure(
        defaultValue,
        sdk.ErrorCode.TARGETING_KEY_MISSING,
        `the context has no "${result.message}", the assignment key of flag "${flagKey}"`,
      )
    case 'NOT_READY':
      return failure(defaultValue, sdk.ErrorCode.PROVIDER_NOT_READY, 'flag definitions have not loaded yet')
    default:
      return failure(
        defaultValue,
        sdk.ErrorCode.GENERAL,
        result.message ?? `evaluation failed (${result.reason})`,
      )
  }
}

/** A failed resolution: the default value, reason `ERROR`, the code and a message. */
export function failure<T>(value: T, errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> {
  return { value, reason: sdk.StandardResolutionReasons.ERROR, errorCode, errorMessage }
}

function describeType(value: unknown): string {
  if (value === null) return 'a null'
  if (Array.isArray(value)) return 'an array'
  return article(typeof value)
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
