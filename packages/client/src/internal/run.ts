/**
 * Running effects for Promise callers: an `Exit` becomes the value or one thrown `Error`, never a
 * `FiberFailure`.
 */
import { Cause, Effect, Exit, Option, type ManagedRuntime } from "effect"
import { type EffectError, fromEffectError } from "../Errors.js"

/** What an interrupted call rejects with: the signal's reason, as `fetch` does. */
export const abortReason = (signal: AbortSignal | undefined): unknown =>
  signal?.reason ?? new DOMException("The operation was aborted.", "AbortError")

/** The value of a successful exit; otherwise the error to throw. */
export const unwrap = <A>(exit: Exit.Exit<A, EffectError>, signal?: AbortSignal): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const cause = exit.cause
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) throw fromEffectError(failure.value)
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) throw defect.value
  if (Cause.isInterruptedOnly(cause)) throw abortReason(signal)
  throw new Error(Cause.pretty(cause))
}

/** Runs `effect` on `runtime`; `signal` interrupts it. */
export const runPromise = async <A, R>(
  runtime: ManagedRuntime.ManagedRuntime<R, never>,
  effect: Effect.Effect<A, EffectError, R>,
  signal?: AbortSignal
): Promise<A> => {
  if (signal?.aborted === true) throw abortReason(signal)
  const exit = await runtime.runPromiseExit(effect, signal === undefined ? undefined : { signal })
  return unwrap(exit, signal)
}

/** Runs `effect` without a client's runtime (it needs no services). */
export const runStandalone = async <A>(
  effect: Effect.Effect<A, EffectError>,
  signal?: AbortSignal
): Promise<A> => {
  if (signal?.aborted === true) throw abortReason(signal)
  const exit = await Effect.runPromiseExit(effect, signal === undefined ? undefined : { signal })
  return unwrap(exit, signal)
}
