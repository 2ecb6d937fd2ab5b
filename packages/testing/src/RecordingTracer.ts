/**
 * A tracer for tests that keeps every span it is given, with its attributes, events and exit, so a
 * test can check what a call traced (provider, operation, ids) and search it all for a secret.
 *
 * @example
 * import { RecordingTracer } from "@unisequence/testing"
 * const recording = RecordingTracer.make()
 * yield* program.pipe(Effect.provide(recording.layer))
 * expect(recording.text()).not.toContain(key)
 */
import { Cause, Exit, Layer, Option, Redacted, Tracer } from "effect"

/** One span as the tracer saw it; `exit` is set when the span ends. */
export interface RecordedSpan {
  readonly name: string
  /** The span it was started under, when this tracer made that one too. */
  readonly parent: RecordedSpan | undefined
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  exit: Exit.Exit<unknown, unknown> | undefined
}

export interface RecordingTracer {
  readonly tracer: Tracer.Tracer
  /** The tracer as a layer, for `Effect.provide`. */
  readonly layer: Layer.Layer<never>
  /** Every span started, in order, ended or not. */
  readonly spans: ReadonlyArray<RecordedSpan>
  /** Every value any span gave the attribute `key`, in span order. */
  readonly values: (key: string) => Array<unknown>
  /** Everything the spans hold, as text: names, attributes, events, and the failures of their exits. */
  readonly text: () => string
}

/** Shows a redacted value as the redaction (what an exporter would see), a bigint as digits, an error with its message. */
const replacer = (_key: string, value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return String(value)
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Error) return { ...value, name: value.name, message: value.message }
  return value
}

const textOf = (span: RecordedSpan): string =>
  [
    span.name,
    JSON.stringify([...span.attributes], replacer),
    JSON.stringify(span.events, replacer),
    span.exit !== undefined && Exit.isFailure(span.exit) ? Cause.pretty(span.exit.cause) : ""
  ].join(" ")

export const make = (): RecordingTracer => {
  const spans: Array<RecordedSpan> = []
  const byId = new Map<string, RecordedSpan>()
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const recorded: RecordedSpan = {
        name,
        parent: Option.isSome(parent) ? byId.get(parent.value.spanId) : undefined,
        attributes: new Map(),
        events: [],
        exit: undefined
      }
      spans.push(recorded)
      const id = String(spans.length)
      byId.set(id, recorded)
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      return {
        _tag: "Span",
        name,
        spanId: id,
        traceId: Option.match(parent, { onNone: () => id, onSome: (p) => p.traceId }),
        parent,
        context,
        get status() {
          return status
        },
        attributes: recorded.attributes,
        links: [...links],
        sampled: true,
        kind,
        end: (endTime, exit) => {
          recorded.exit = exit
          status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute: (key, value) => {
          recorded.attributes.set(key, value)
        },
        event: (eventName, _time, attributes) => {
          recorded.events.push({ name: eventName, attributes })
        },
        addLinks: () => {}
      }
    },
    context: (f) => f()
  })
  return {
    tracer,
    layer: Layer.setTracer(tracer),
    spans,
    values: (key) => spans.flatMap((s) => (s.attributes.has(key) ? [s.attributes.get(key)] : [])),
    text: () => spans.map(textOf).join("\n")
  }
}
