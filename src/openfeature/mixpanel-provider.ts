import type {
  EvaluationContext,
  JsonValue,
  Logger as OpenFeatureLogger,
  Provider,
  ProviderEvents,
  ResolutionDetails,
  TrackingEventDetails,
} from '@openfeature/server-sdk'
import { Mixpanel, type MixpanelOptions } from '../client/index.js'
import {
  type FlagsEvents,
  type FlagsProvider,
  LOCAL_FLAGS_CONFIG,
  type LocalFlagsConfig,
  REMOTE_FLAGS_CONFIG,
  type RemoteFlagsConfig,
} from '../flags/index.js'
import {
  checkOptions,
  enumOption,
  type Logger,
  type LoggerOption,
  optionList,
  resolveLogger,
} from '../internal/index.js'
import { plain, type TargetingKeyMapping, toFlagContext } from './context.js'
import { type FlagType, failure, toResolution } from './resolution.js'
import { sdk } from './sdk.js'

/** Options of {@link MixpanelProvider}. */
export interface MixpanelProviderOptions {
  /**
   * `'distinct_id'` uses OpenFeature's `targetingKey` as `distinct_id` when the context has none.
   * By default `targetingKey` is an ordinary attribute.
   * @default 'none'
   */
  targetingKeyAs?: TargetingKeyMapping
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** The names of {@link MixpanelProviderOptions}. */
export const MIXPANEL_PROVIDER_OPTIONS = optionList<MixpanelProviderOptions>()({
  targetingKeyAs: true,
  logger: true,
})

/** Defaults of {@link MixpanelProviderOptions}. */
export const MIXPANEL_PROVIDER_DEFAULTS = { targetingKeyAs: 'none' as TargetingKeyMapping } as const

/** Options of the `Mixpanel` client a factory creates: delivery of exposure and `track()` events. */
export interface OwnedClientOptions {
  /**
   * Options of the `Mixpanel` client the provider creates and owns (consumer, retries...).
   * `logger` defaults to the flags' one; so do `apiHost`, `region`, `verifyCert` and
   * `dispatcher`, unless the client is given a `consumer` (which decides where events go).
   */
  client?: MixpanelOptions
}

/** `config` of {@link MixpanelProvider.fromLocalConfig}. */
export type MixpanelLocalProviderConfig = LocalFlagsConfig & MixpanelProviderOptions & OwnedClientOptions

/** `config` of {@link MixpanelProvider.fromRemoteConfig}. */
export type MixpanelRemoteProviderConfig = RemoteFlagsConfig & MixpanelProviderOptions & OwnedClientOptions

/** The names of {@link MixpanelLocalProviderConfig}. */
export const MIXPANEL_LOCAL_PROVIDER_CONFIG = optionList<MixpanelLocalProviderConfig>()({
  ...LOCAL_FLAGS_CONFIG,
  ...MIXPANEL_PROVIDER_OPTIONS,
  client: true,
})

/** The names of {@link MixpanelRemoteProviderConfig}. */
export const MIXPANEL_REMOTE_PROVIDER_CONFIG = optionList<MixpanelRemoteProviderConfig>()({
  ...REMOTE_FLAGS_CONFIG,
  ...MIXPANEL_PROVIDER_OPTIONS,
  client: true,
})

type Status = 'NOT_READY' | 'READY' | 'ERROR' | 'STALE'

/**
 * An OpenFeature server provider over eventwire's Mixpanel flags, local or remote.
 *
 * - `initialize` waits for the flag definitions (local); if they cannot load, it rejects and the
 *   SDK reports `ERROR` until a later load succeeds (the provider then emits `PROVIDER_READY`).
 * - Events: `PROVIDER_STALE` when polling has failed for `staleAfterMs`, `PROVIDER_READY` on
 *   recovery, `PROVIDER_CONFIGURATION_CHANGED` with `flagsChanged` when polled definitions change.
 * - Every context attribute is passed to Mixpanel as is; see {@link MixpanelProviderOptions}.
 * - `track()` sends the event through the Mixpanel client, for the context's `distinct_id`.
 */
export class MixpanelProvider implements Provider {
  readonly metadata = { name: 'mixpanel-provider' } as const
  readonly runsOn = 'server' as const
  readonly events = new sdk.OpenFeatureEventEmitter()
  /** The flags provider evaluations go to. */
  readonly flags: FlagsProvider
  readonly #targetingKeyAs: TargetingKeyMapping
  readonly #logger: Logger
  readonly #unsubscribe: Array<() => void>
  #mixpanel: Mixpanel | null = null
  #ownsFlags = false
  #status: Status = 'NOT_READY'
  #initialized = false
  #closed: Promise<void> | undefined

  /**
   * Wraps a flags provider you created (for example `mp.localFlags`). The provider owns nothing:
   * `onClose` leaves the flags provider and your client running, and {@link mixpanel} is null.
   */
  /** @throws {ConfigError} for an unknown or invalid option. */
  constructor(flags: FlagsProvider, options: MixpanelProviderOptions = {}) {
    checkOptions(options, MIXPANEL_PROVIDER_OPTIONS, 'MixpanelProvider')
    this.flags = flags
    this.#targetingKeyAs = enumOption(
      'targetingKeyAs',
      options.targetingKeyAs,
      ['none', 'distinct_id'],
      MIXPANEL_PROVIDER_DEFAULTS.targetingKeyAs,
    )
    this.#logger = resolveLogger(options.logger)
    const listen = <K extends keyof FlagsEvents & string>(
      event: K,
      listener: (payload: FlagsEvents[K]) => void,
    ): (() => void) => {
      flags.on(event, listener)
      return () => flags.off(event, listener)
    }
    this.#unsubscribe = [
      listen('ready', () => this.#emit('READY', sdk.ProviderEvents.Ready)),
      listen('stale', ({ error }) => this.#emit('STALE', sdk.ProviderEvents.Stale, error?.message)),
      listen('error', ({ error }) => {
        if (!flags.areFlagsReady()) this.#emit('ERROR', sdk.ProviderEvents.Error, error.message)
      }),
      listen('configurationChanged', ({ flagsChanged }) => {
        if (this.#initialized) this.events.emit(sdk.ProviderEvents.ConfigurationChanged, { flagsChanged })
      }),
    ]
  }

  /**
   * A provider evaluating locally from polled definitions, with its own `Mixpanel` client for
   * exposure events (batched by the client's consumer): `provider.flags` is
   * `provider.mixpanel.localFlags`. Polling starts at once; `onClose` shuts down both.
   */
  static fromLocalConfig(token: string, config: MixpanelLocalProviderConfig = {}): MixpanelProvider {
    checkOptions(config, MIXPANEL_LOCAL_PROVIDER_CONFIG, 'MixpanelProvider.fromLocalConfig')
    const { client, targetingKeyAs, ...flagsConfig } = config
    const mixpanel = new Mixpanel(token, { ...clientOptions(flagsConfig, client), localFlags: flagsConfig })
    return MixpanelProvider.#owning(mixpanel.localFlags, mixpanel, {
      targetingKeyAs,
      logger: flagsConfig.logger,
    })
  }

  /**
   * A provider asking Mixpanel's servers for each evaluation, with its own `Mixpanel` client for
   * exposure events (`provider.flags` is `provider.mixpanel.remoteFlags`). `onClose` shuts down both.
   */
  static fromRemoteConfig(token: string, config: MixpanelRemoteProviderConfig = {}): MixpanelProvider {
    checkOptions(config, MIXPANEL_REMOTE_PROVIDER_CONFIG, 'MixpanelProvider.fromRemoteConfig')
    const { client, targetingKeyAs, ...flagsConfig } = config
    const mixpanel = new Mixpanel(token, { ...clientOptions(flagsConfig, client), remoteFlags: flagsConfig })
    return MixpanelProvider.#owning(mixpanel.remoteFlags, mixpanel, {
      targetingKeyAs,
      logger: flagsConfig.logger,
    })
  }

  static #owning(
    flags: FlagsProvider,
    mixpanel: Mixpanel,
    options: MixpanelProviderOptions,
  ): MixpanelProvider {
    const provider = new MixpanelProvider(flags, options)
    provider.#mixpanel = mixpanel
    provider.#ownsFlags = true
    return provider
  }

  /** The `Mixpanel` client this provider created, for your own events; null when it owns none. */
  get mixpanel(): Mixpanel | null {
    return this.#mixpanel
  }

  /** Waits until flags are ready; rejects (the SDK then reports ERROR) when they cannot load. */
  async initialize(_context?: EvaluationContext): Promise<void> {
    try {
      await this.flags.ready()
      this.#status = 'READY'
    } catch (error) {
      this.#status = 'ERROR'
      throw error
    } finally {
      this.#initialized = true
    }
  }

  /** Shuts down the flags provider and the client if this provider created them. Idempotent. */
  onClose(): Promise<void> {
    this.#closed ??= (async () => {
      for (const off of this.#unsubscribe) off()
      if (!this.#ownsFlags) return
      await this.flags.shutdown()
      await this.#mixpanel?.close()
    })()
    return this.#closed
  }

  /** `onClose()`, for `await using provider = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.onClose()
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
    _logger?: OpenFeatureLogger,
  ): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(flagKey, defaultValue, context, 'boolean')
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
    _logger?: OpenFeatureLogger,
  ): Promise<ResolutionDetails<string>> {
    return this.#resolve(flagKey, defaultValue, context, 'string')
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
    _logger?: OpenFeatureLogger,
  ): Promise<ResolutionDetails<number>> {
    return this.#resolve(flagKey, defaultValue, context, 'number')
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    _logger?: OpenFeatureLogger,
  ): Promise<ResolutionDetails<T>> {
    return this.#resolve(flagKey, defaultValue, context, 'object')
  }

  /**
   * Sends `trackingEventName` through the Mixpanel client (the owned one, else the flags provider's
   * tracker) for the context's `distinct_id`, with the details as properties. Without a
   * `distinct_id` or a client, nothing is sent. Never throws.
   */
  track(trackingEventName: string, context: EvaluationContext, details: TrackingEventDetails): void {
    const tracker = this.#mixpanel ?? this.flags.tracker
    if (tracker === undefined) {
      this.#logger.debug(
        { event: trackingEventName },
        'eventwire: OpenFeature track() ignored: no Mixpanel client',
      )
      return
    }
    const distinctId = toFlagContext(context, this.#targetingKeyAs).distinct_id
    if (typeof distinctId !== 'string' || distinctId === '') {
      this.#logger.warn(
        { event: trackingEventName },
        'eventwire: OpenFeature track() ignored: no distinct_id',
      )
      return
    }
    const properties = { ...(plain(details ?? {}) as Record<string, unknown>) }
    try {
      tracker.track(distinctId, trackingEventName, properties).catch((error: unknown) => {
        this.#logger.warn({ event: trackingEventName, err: error }, 'eventwire: OpenFeature track() failed')
      })
    } catch (error) {
      this.#logger.warn({ event: trackingEventName, err: error }, 'eventwire: OpenFeature track() failed')
    }
  }

  async #resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    type: FlagType,
  ): Promise<ResolutionDetails<T>> {
    if (!this.flags.areFlagsReady()) {
      return failure(defaultValue, sdk.ErrorCode.PROVIDER_NOT_READY, 'flag definitions have not loaded yet')
    }
    try {
      const result = await this.flags.getVariant(
        flagKey,
        defaultValue,
        toFlagContext(context, this.#targetingKeyAs),
      )
      return toResolution(flagKey, result, defaultValue, type)
    } catch (error) {
      return failure(
        defaultValue,
        sdk.ErrorCode.GENERAL,
        error instanceof Error ? error.message : String(error),
      )
    }
  }

  // Forwards a status change after initialize() settled; before that the SDK reports the outcome.
  #emit(status: Status, event: ProviderEvents, message?: string): void {
    if (!this.#initialized || this.#status === status) return
    this.#status = status
    this.events.emit(event, message === undefined ? {} : { message })
  }
}

function clientOptions(
  flags: {
    apiHost?: string
    region?: MixpanelOptions['region']
    verifyCert?: boolean
    dispatcher?: MixpanelOptions['dispatcher']
    logger?: LoggerOption
  },
  client: MixpanelOptions | undefined,
): MixpanelOptions {
  const inherited: MixpanelOptions = {}
  if (flags.logger !== undefined) inherited.logger = flags.logger
  // A client given its own consumer takes no delivery options (they would conflict with it).
  if (client?.consumer === undefined && client?.consumers === undefined) {
    if (flags.apiHost !== undefined) inherited.apiHost = flags.apiHost
    if (flags.region !== undefined) inherited.region = flags.region
    if (flags.verifyCert !== undefined) inherited.verifyCert = flags.verifyCert
    if (flags.dispatcher !== undefined) inherited.dispatcher = flags.dispatcher
  }
  return { ...inherited, ...client }
}
