import { handled } from '../consumers/index.js'
import {
  addContexts,
  addField,
  addJson,
  checkSelfDescribing,
  eventIdFor,
  SCHEMAS,
  type SelfDescribingJson,
  type SnowplowPayload,
  TRACKER_VERSION,
} from '../destinations/index.js'
import { ConfigError, ValidationError } from '../errors/index.js'
import {
  boolOption,
  type Clock,
  checkOptions,
  optionList,
  stringOption,
  systemClock,
} from '../internal/index.js'

/** Anything a tracker can hand events to: an `Emitter`, or your own object with `input()`. */
export interface EmitterLike {
  /** Takes one event payload; may return a Promise that settles when the event was accepted. */
  input(payload: SnowplowPayload): unknown
  /** Sends what is buffered; with `{ wait: false }` only starts sending. */
  flush?(options?: { wait?: boolean }): unknown
}

/** Who an event is about and where it came from (the Snowplow "subject"). */
export interface Subject {
  /** `uid`: your business user id. */
  userId?: string
  /** `duid`: a first-party cookie id. */
  domainUserId?: string
  /** `tnuid`: overrides the collector's network user id. */
  networkUserId?: string
  /** `ip`: the end user's address. */
  ipAddress?: string
  /** `ua`: the end user's user agent. */
  useragent?: string
  /** `tz`: the end user's time zone, e.g. `Europe/Berlin`. */
  timezone?: string
  /** `lang`: the end user's language. */
  lang?: string
  /** `res`: screen resolution as `WIDTHxHEIGHT`. */
  screenResolution?: string
  /** `vp`: viewport as `WIDTHxHEIGHT`. */
  viewport?: string
}

/** Options of {@link Tracker}. */
export interface TrackerOptions {
  /** `tna`: the tracker namespace. */
  namespace: string
  /** `aid`: the application id. */
  appId?: string
  /** Where events go: one emitter or several (each gets every event). */
  emitters: EmitterLike | readonly EmitterLike[]
  /** Encode `ue_px` and `cx` as URL-safe base64 (otherwise plain JSON in `ue_pr` and `co`). @default true */
  encodeBase64?: boolean
  /** `p`: the platform. @default 'srv' */
  platform?: string
  /** Default subject for every event. */
  subject?: Subject
  /** Time source for `dtm`. @default systemClock */
  clock?: Clock
}

/** Defaults of {@link TrackerOptions}. */
export const TRACKER_DEFAULTS = { encodeBase64: true, platform: 'srv' } as const

/** The names of {@link TrackerOptions}. */
export const TRACKER_OPTIONS = optionList<TrackerOptions>()({
  namespace: true,
  appId: true,
  emitters: true,
  encodeBase64: true,
  platform: true,
  subject: true,
  clock: true,
})

/** The names of {@link Subject}'s fields. */
export const SUBJECT_FIELDS = optionList<Subject>()({
  userId: true,
  domainUserId: true,
  networkUserId: true,
  ipAddress: true,
  useragent: true,
  timezone: true,
  lang: true,
  screenResolution: true,
  viewport: true,
})

/** Fields every tracking call accepts. */
export interface CommonEventOptions {
  /** Entities attached to the event (`cx`/`co`). */
  context?: readonly SelfDescribingJson[]
  /** `ttm`: the true time of the event (ms since epoch or Date). */
  trueTimestamp?: number | Date
  /** A subject for this event, merged over the tracker's. */
  subject?: Subject
  /** `eid`: keep a stable event id (a UUID) across your own retries. Generated when absent. */
  eventId?: string
}

/**
 * Builds Snowplow tracker-protocol events and hands each to every emitter (seed 004's `Tracker`).
 * Each `track*` method resolves with the event's `eid` once every emitter accepted it.
 */
export class Tracker {
  readonly namespace: string
  readonly appId: string | undefined
  readonly #emitters: EmitterLike[]
  readonly #encode: boolean
  readonly #platform: string
  readonly #subject: Subject
  readonly #clock: Clock

  /** @throws {ConfigError} for an unknown or invalid option. */
  constructor(options: TrackerOptions) {
    checkOptions(options, TRACKER_OPTIONS, 'Tracker', { required: true })
    if (options.subject !== undefined) checkOptions(options.subject, SUBJECT_FIELDS, "Tracker's subject")
    this.namespace = stringOption('namespace', options?.namespace, undefined) ?? ''
    if (this.namespace === '') throw new ConfigError('namespace', 'expected a non-empty string')
    if (/[:;]/.test(this.namespace)) throw new ConfigError('namespace', 'must not contain ":" or ";"')
    this.appId = stringOption('appId', options.appId, undefined)
    const emitters = Array.isArray(options.emitters)
      ? [...options.emitters]
      : [options.emitters as EmitterLike]
    for (const [i, e] of emitters.entries()) checkEmitter(e, `emitters[${i}]`)
    this.#emitters = emitters
    this.#encode = boolOption('encodeBase64', options.encodeBase64, TRACKER_DEFAULTS.encodeBase64)
    this.#platform = stringOption('platform', options.platform, TRACKER_DEFAULTS.platform)
    this.#subject = { ...options.subject }
    this.#clock = options.clock ?? systemClock
  }

  /** Adds an emitter; it receives every event tracked from now on. */
  addEmitter(emitter: EmitterLike): void {
    checkEmitter(emitter, 'emitter')
    this.#emitters.push(emitter)
  }

  /** Tracks a self-describing event (`e=ue`): `{ schema: 'iglu:…', data }`. */
  trackSelfDescribingEvent(options: { event: SelfDescribingJson } & CommonEventOptions): Promise<string> {
    return this.#track('ue', options, (payload) => {
      const event = checkSelfDescribing(options?.event, 'event')
      addJson(payload, { schema: SCHEMAS.unstructEvent, data: event }, this.#encode, 'ue_pr', 'ue_px')
    })
  }

  /** Tracks a structured event (`e=se`): category and action, with optional label, property and value. */
  trackStructEvent(
    options: {
      category: string
      action: string
      label?: string
      property?: string
      value?: number
    } & CommonEventOptions,
  ): Promise<string> {
    return this.#track('se', options, (payload) => {
      for (const key of ['category', 'action'] as const) {
        if (typeof options?.[key] !== 'string' || options[key] === '') {
          throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', `${key} must be a non-empty string`, key)
        }
      }
      if (options.value !== undefined && !Number.isFinite(options.value)) {
        throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'value must be a finite number', 'value')
      }
      addField(payload, 'se_ca', options.category)
      addField(payload, 'se_ac', options.action)
      addField(payload, 'se_la', options.label)
      addField(payload, 'se_pr', options.property)
      addField(payload, 'se_va', options.value)
    })
  }

  /** Tracks a page view (`e=pv`). */
  trackPageView(
    options: { pageUrl: string; pageTitle?: string; referrer?: string } & CommonEventOptions,
  ): Promise<string> {
    return this.#track('pv', options, (payload) => {
      if (typeof options?.pageUrl !== 'string' || options.pageUrl === '') {
        throw new ValidationError(
          'EVENTWIRE_INVALID_ARGUMENT',
          'pageUrl must be a non-empty string',
          'pageUrl',
        )
      }
      addField(payload, 'url', options.pageUrl)
      addField(payload, 'page', options.pageTitle)
      addField(payload, 'refr', options.referrer)
    })
  }

  /**
   * Flushes every emitter. By default waits until what they buffered is delivered or finally failed;
   * `{ wait: false }` only starts sending.
   */
  async flush(options: { wait?: boolean } = {}): Promise<void> {
    const wait = options.wait ?? true
    const flushes = this.#emitters.map((e) => e.flush?.({ wait }))
    if (wait) await Promise.all(flushes)
  }

  /** Builds and hands out one event; the promise is marked handled (never an unhandled rejection). */
  #track(e: string, options: CommonEventOptions, fill: (payload: SnowplowPayload) => void): Promise<string> {
    return handled(this.#emit(e, options, fill))
  }

  async #emit(
    e: string,
    options: CommonEventOptions,
    fill: (payload: SnowplowPayload) => void,
  ): Promise<string> {
    const payload: SnowplowPayload = {
      e,
      eid: eventIdFor(options?.eventId),
      tv: TRACKER_VERSION,
      p: this.#platform,
    }
    addField(payload, 'tna', this.namespace)
    addField(payload, 'aid', this.appId)
    addField(payload, 'dtm', this.#clock.now())
    if (options?.trueTimestamp !== undefined) {
      const ttm =
        options.trueTimestamp instanceof Date ? options.trueTimestamp.getTime() : options.trueTimestamp
      if (!Number.isFinite(ttm))
        throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'invalid trueTimestamp', 'trueTimestamp')
      addField(payload, 'ttm', ttm)
    }
    addSubject(payload, { ...this.#subject, ...options?.subject })
    fill(payload)
    addContexts(payload, options?.context, this.#encode)
    await Promise.all(this.#emitters.map((emitter) => emitter.input(payload)))
    return payload.eid!
  }
}

/** Writes subject fields into a payload. */
export function addSubject(payload: SnowplowPayload, subject: Subject): void {
  addField(payload, 'uid', subject.userId)
  addField(payload, 'duid', subject.domainUserId)
  addField(payload, 'tnuid', subject.networkUserId)
  addField(payload, 'ip', subject.ipAddress)
  addField(payload, 'ua', subject.useragent)
  addField(payload, 'tz', subject.timezone)
  addField(payload, 'lang', subject.lang)
  addField(payload, 'res', subject.screenResolution)
  addField(payload, 'vp', subject.viewport)
}

function checkEmitter(emitter: unknown, name: string): void {
  if (typeof (emitter as EmitterLike | undefined)?.input !== 'function') {
    throw new ConfigError(name, 'expected an emitter: an object with an input(payload) method')
  }
}
