/** What a promise is made for: it keeps the promise's settle functions. */
export interface Settles {
  resolve: () => void
  reject: (error: unknown) => void
}

/** The target of the promise being made: {@link capture} is one executor shared by every promise. */
let capturing: Settles | undefined

function capture(resolve: () => void, reject: (error: unknown) => void): void {
  capturing!.resolve = resolve
  capturing!.reject = reject
  capturing = undefined
}

/**
 * A new promise whose settle functions are kept on `target`. Every such promise shares one
 * executor, so making one allocates no closure: calls on the `track()` path make one each.
 */
export function promiseSettledBy(target: Settles): Promise<void> {
  capturing = target
  return new Promise<void>(capture)
}
