import {
  BATCH_CONSUMER_OPTIONS,
  BUFFERED_CONSUMER_OPTIONS,
  CONSUMER_OPTIONS,
  type ConsumerOptions,
  type EventConsumer,
} from '../consumers/index.js'
import { ConfigError } from '../errors/index.js'
import {
  LOCAL_FLAGS_CONFIG,
  type LocalFlagsConfig,
  REMOTE_FLAGS_CONFIG,
  type RemoteFlagsConfig,
} from '../flags/index.js'
import { type Clock, checkOptions, type LoggerOption, optionList } from '../internal/index.js'
import type { ClientWarning, ProfileModifiers } from './message-builder.js'
import { PROFILE_MODIFIERS } from './message-builder.js'
import { PLAN_GATE_OPTIONS, type PlanGateOptions } from './plan-gate.js'

/**
 * Options of {@link Mixpanel}. The delivery options (those of `Consumer`: `apiHost`, `region`,
 * `serviceAccount`, retries, timeouts...) configure the default `Consumer` the client builds;
 * together with `consumer` or `consumers` they fail with a `ConfigError`, because the consumer
 * you pass decides where and how messages are sent: give them to that consumer.
 */
export interface MixpanelOptions extends ConsumerOptions, PlanGateOptions {
  /**
   * Decides when messages are sent. @default a new `Consumer` built from the delivery options
   * given here (apiHost, region, serviceAccount, retries...), which cannot be combined with it
   */
  consumer?: EventConsumer
  /**
   * Several consumers, each receiving every message (e.g. a Mixpanel `BatchConsumer` and a
   * Snowplow `Emitter`); wrapped in a `FanoutConsumer`. Exclusive with `consumer` and with the
   * delivery options.
   */
  consumers?: readonly EventConsumer[]
  /**
   * Where `$plan_violation` events go (one per call with plan issues: event name, issue codes, plan
   * version), e.g. a consumer for a separate data-quality project. Off by default.
   */
  violationConsumer?: EventConsumer
  /**
   * Local flag evaluation (`mp.localFlags`); exposures are tracked through this client. Without
   * `consumer`, the provider also takes the client's `apiHost`, `region`, `serviceAccount`,
   * `verifyCert` and `dispatcher`; with one, give them here.
   */
  localFlags?: LocalFlagsConfig
  /** Remote flag evaluation (`mp.remoteFlags`); as `localFlags`, otherwise. */
  remoteFlags?: RemoteFlagsConfig
  /**
   * Modifiers added to every profile and group update; each can be overridden per call.
   * @default { ip: 0, ignoreTime: true }
   */
  profileDefaults?: ProfileModifiers
  /** Called for calls that were accepted but look like mistakes (e.g. an e-mail as distinct id). */
  onWarning?: (warning: ClientWarning) => void
  /** Time source for `time` and `$time`. @default systemClock */
  clock?: Clock
  /**
   * A pino-compatible logger, or `false` for silence; also given to the consumer, the tracking
   * plan enforcer and the flag providers this client creates (give it to consumers you build
   * yourself too). @default warnings and errors to stderr, at most one line per kind of message
   * every 10 s
   */
  logger?: LoggerOption
}

/** The names of {@link MixpanelOptions}. */
export const MIXPANEL_OPTIONS = optionList<MixpanelOptions>()({
  ...CONSUMER_OPTIONS,
  ...PLAN_GATE_OPTIONS,
  consumer: true,
  consumers: true,
  violationConsumer: true,
  localFlags: true,
  remoteFlags: true,
  profileDefaults: true,
  onWarning: true,
  clock: true,
  logger: true,
})

/** Defaults of {@link MixpanelOptions}. */
export const MIXPANEL_DEFAULTS = { profileDefaults: { ip: 0, ignoreTime: true } } as const

/** Options of the default `Consumer` that mean nothing once a consumer is given (all but these). */
const CLIENT_LEVEL = new Set(['clock', 'logger'])

/** Options of the other consumers, and how to use them from a client. */
const CONSUMER_ONLY: Readonly<Record<string, string>> = Object.fromEntries([
  ...Object.keys(BATCH_CONSUMER_OPTIONS)
    .filter((name) => !(name in CONSUMER_OPTIONS))
    .map((name) => [name, `an option of BatchConsumer: pass { consumer: new BatchConsumer({ ${name} }) }`]),
  ...Object.keys(BUFFERED_CONSUMER_OPTIONS)
    .filter((name) => !(name in CONSUMER_OPTIONS))
    .map((name) => [
      name,
      `an option of BufferedConsumer: pass { consumer: new BufferedConsumer({ ${name} }) }`,
    ]),
])

/** Checks the client's options whole: unknown keys, and delivery options next to a consumer. */
export function checkClientOptions(options: MixpanelOptions): void {
  checkOptions(options, MIXPANEL_OPTIONS, 'Mixpanel', { elsewhere: CONSUMER_ONLY })
  if (options.consumer !== undefined && options.consumers !== undefined) {
    throw new ConfigError('consumers', 'pass either consumer or consumers, not both')
  }
  const given =
    options.consumer !== undefined ? 'consumer' : options.consumers !== undefined ? 'consumers' : undefined
  if (given !== undefined) {
    for (const key of Object.keys(CONSUMER_OPTIONS)) {
      if (CLIENT_LEVEL.has(key) || (options as Record<string, unknown>)[key] === undefined) continue
      throw new ConfigError(
        key,
        `cannot be combined with "${given}": the consumer you pass decides where and how messages are sent, so "${key}" would have no effect; give it to that consumer${key === 'apiHost' || key === 'region' || key === 'serviceAccount' || key === 'verifyCert' || key === 'dispatcher' ? ' (and to localFlags / remoteFlags if you use them)' : ''}`,
      )
    }
  }
  if (options.profileDefaults !== undefined) {
    checkOptions(options.profileDefaults, PROFILE_MODIFIERS, "Mixpanel's profileDefaults")
  }
  if (options.localFlags !== undefined) {
    checkOptions(options.localFlags, LOCAL_FLAGS_CONFIG, "Mixpanel's localFlags", { required: true })
  }
  if (options.remoteFlags !== undefined) {
    checkOptions(options.remoteFlags, REMOTE_FLAGS_CONFIG, "Mixpanel's remoteFlags", { required: true })
  }
}
