/**
 * `tsx src/micro.ts`: CPU cost of each stage of an adapter read, without the network, to explain the
 * ratios of benchmarks 1 and 2. Bodies are real simulator answers; each stage runs on them in a loop:
 * JSON.parse (what the raw baseline does), wire decoding (Effect's decode, and the pipeline's in-place
 * check of a schema that only validates), and the construction of the neutral model (`Schema.Class`
 * instances, validated or not, or made by `Sequence.fromDecoded`, `summaryOf` and `weeklyOf` as the
 * mappings make them).
 */
import { performance } from "node:perf_hooks"
import { HttpPipeline, Sequence as Model } from "@unisequence/core"
import { KitClient } from "@unisequence/kit"
import { Chunk, Effect, Either, Option, Schema, Stream } from "effect"
import * as Adapters from "./adapters.js"
import * as Host from "./simulators/host.js"

/** Microseconds per call of `f`, the median of 5 batches after a warm-up. */
const perCallAt =
  (scale: number) =>
  (f: () => unknown, size: number): number => {
    const batch = Math.max(1, Math.round(size * scale))
    for (let i = 0; i < batch; i++) f()
    const times: Array<number> = []
    for (let r = 0; r < 5; r++) {
      const start = performance.now()
      for (let i = 0; i < batch; i++) f()
      times.push(((performance.now() - start) * 1000) / batch)
    }
    return times.sort((a, b) => a - b)[2]!
  }

export interface Stage {
  readonly stage: string
  readonly micros: number
}

/** `scale` shrinks the loops (the tests run it at 0.1, only to keep it working). */
export const measure = async (scale = 1): Promise<ReadonlyArray<Stage>> => {
  const host = await Host.start("in-process")
  const sim = await Host.startKit(host, {
    rateLimit: false,
    seed: { spec: { sequences: 1_000, emails: 0 } }
  })
  const emailsSim = await Host.startKit(host, {
    rateLimit: false,
    seed: { spec: { sequences: 1, emails: 5, contentBytes: 1_000 } }
  })
  const perCall = perCallAt(scale)
  try {
    const headers = { "x-kit-api-key": Adapters.KIT_KEY }
    const pageText = await (await fetch(`${sim.url}/v4/sequences?per_page=1000`, { headers })).text()
    const sequenceText = await (await fetch(`${emailsSim.url}/v4/sequences/1`, { headers })).text()
    const emailsText = await (
      await fetch(`${emailsSim.url}/v4/sequences/1/emails?per_page=1000&include_content=true`, { headers })
    ).text()
    const { Wire } = KitClient
    const decodePage = Schema.decodeUnknownEither(Schema.parseJson(Wire.SequencesPage))
    const page = Either.getOrThrow(decodePage(pageText))
    const item = page.sequences[0]!
    const summaryProps = {
      id: String(item.id),
      name: item.name,
      reentry: item.repeat,
      holdAfterLastStep: item.hold,
      createdAt: item.created_at,
      schedule: new Model.Weekly({ days: item.send_days ?? [], hour: item.send_hour ?? 0, timeZone: "UTC" }),
      raw: item
    }
    const sequence = Either.getOrThrow(
      Schema.decodeUnknownEither(Schema.parseJson(Wire.SequenceEnvelope))(sequenceText)
    ).sequence
    const emails = Either.getOrThrow(
      Schema.decodeUnknownEither(Schema.parseJson(Wire.EmailsPage))(emailsText)
    ).emails
    const stepProps = emails.map((email) => ({
      id: String(email.id),
      delay: { value: email.delay_value, unit: email.delay_unit },
      type: "email" as const,
      email: { subject: email.subject, html: email.content ?? "" },
      published: email.published,
      raw: email
    }))
    const sequenceProps = (steps: ReadonlyArray<Model.Step>) => ({
      id: String(sequence.id),
      name: sequence.name,
      active: sequence.active ?? false,
      schedule: new Model.Weekly(
        { days: sequence.send_days ?? [], hour: sequence.send_hour ?? 0, timeZone: "UTC" },
        true
      ),
      steps,
      raw: sequence
    })
    const items = page.sequences.length
    // Kit.get reads the emails as a stream of pages; with one page the stream is pure overhead.
    const emailsPage = Effect.succeed(emails)
    const streamed = Stream.runCollect(
      Stream.paginateChunkEffect(undefined as string | undefined, () =>
        Effect.map(emailsPage, (list) => [Chunk.fromIterable(list), Option.none<string>()] as const)
      )
    )
    // What the pipeline does with a parsed answer: the in-place check where the schema only
    // validates (every Kit read now), the JSON then being the wire value.
    const preserve = { onExcessProperty: "preserve" } as const
    const answerOf = <A, I>(schema: Schema.Schema<A, I>) => {
      const answer = HttpPipeline.json(schema, preserve)
      if (answer._tag !== "Json") throw new Error("a JSON answer")
      return answer.decode
    }
    const pageAnswer = answerOf(Wire.SequencesPage)
    const sequenceAnswer = answerOf(Wire.SequenceEnvelope)
    const emailsAnswer = answerOf(Wire.EmailsPage)
    const parsedPage: unknown = JSON.parse(pageText)
    const parsedSequence: unknown = JSON.parse(sequenceText)
    const parsedEmails: unknown = JSON.parse(emailsText)
    const weeklyProps = { days: item.send_days ?? [], hour: item.send_hour ?? 0, timeZone: "UTC" }
    const decodeSequence = Schema.decodeUnknownEither(Schema.parseJson(Wire.SequenceEnvelope))
    const decodeEmails = Schema.decodeUnknownEither(Schema.parseJson(Wire.EmailsPage))
    return [
      {
        stage: "list item: JSON.parse (raw baseline)",
        micros: perCall(() => JSON.parse(pageText), 20) / items
      },
      {
        stage: "list item: KitClient wire decode (parseJson made per call)",
        micros:
          perCall(() => Schema.decodeUnknownEither(Schema.parseJson(Wire.SequencesPage))(pageText), 10) /
          items
      },
      {
        stage: "list item: wire decode, decoder made once",
        micros: perCall(() => decodePage(pageText), 10) / items
      },
      {
        stage: "list item: the pipeline's answer of the parsed page (in-place check)",
        micros: perCall(() => pageAnswer(parsedPage), 20) / items
      },
      {
        stage: "list item: new SequenceSummary (validated)",
        micros: perCall(() => new Model.SequenceSummary(summaryProps), 500)
      },
      {
        stage: "list item: new SequenceSummary (validation disabled)",
        micros: perCall(() => new Model.SequenceSummary(summaryProps, true), 5_000)
      },
      {
        stage:
          "list item: SequenceSummary + Weekly by Sequence.summaryOf and weeklyOf (what the list mappings use)",
        micros: perCall(
          () =>
            Model.summaryOf({
              ...summaryProps,
              schedule: Model.weeklyOf(weeklyProps.days, weeklyProps.hour, weeklyProps.timeZone)
            }),
          5_000
        )
      },
      {
        stage: "list item: the same by Sequence.fromDecoded",
        micros: perCall(
          () =>
            Model.fromDecoded(Model.SequenceSummary, {
              ...summaryProps,
              schedule: Model.fromDecoded(Model.Weekly, weeklyProps)
            }),
          5_000
        )
      },
      {
        stage: "list item: the same by the constructors, validation disabled",
        micros: perCall(
          () =>
            new Model.SequenceSummary(
              { ...summaryProps, schedule: new Model.Weekly(weeklyProps, true) },
              true
            ),
          5_000
        )
      },
      {
        stage: "get: JSON.parse of both bodies (raw baseline)",
        micros: perCall(() => [JSON.parse(sequenceText), JSON.parse(emailsText)], 2_000)
      },
      {
        stage: "get: KitClient wire decode of both bodies",
        micros: perCall(
          () => [
            Schema.decodeUnknownEither(Schema.parseJson(Wire.SequenceEnvelope))(sequenceText),
            Schema.decodeUnknownEither(Schema.parseJson(Wire.EmailsPage))(emailsText)
          ],
          500
        )
      },
      {
        stage: "get: wire decode of both bodies, decoders made once",
        micros: perCall(() => [decodeSequence(sequenceText), decodeEmails(emailsText)], 2_000)
      },
      {
        stage: "get: the pipeline's answers of both parsed bodies (in-place checks)",
        micros: perCall(() => [sequenceAnswer(parsedSequence), emailsAnswer(parsedEmails)], 2_000)
      },
      {
        stage: "get: one page of emails through Stream.runCollect(paginateChunkEffect)",
        micros: perCall(() => Effect.runSync(streamed), 1_000)
      },
      {
        stage: "get: the same page as a plain Effect",
        micros: perCall(() => Effect.runSync(emailsPage), 1_000)
      },
      {
        stage: "get: new Sequence + 5 Steps (validated)",
        micros: perCall(() => new Model.Sequence(sequenceProps(stepProps.map((p) => new Model.Step(p)))), 100)
      },
      {
        stage: "get: new Sequence + 5 Steps (validation disabled)",
        micros: perCall(
          () => new Model.Sequence(sequenceProps(stepProps.map((p) => new Model.Step(p, true))), true),
          5_000
        )
      },
      {
        stage: "get: Sequence + 5 Steps by Sequence.fromDecoded (what the mappings use)",
        micros: perCall(
          () =>
            Model.fromDecoded(
              Model.Sequence,
              sequenceProps(stepProps.map((p) => Model.fromDecoded(Model.Step, p)))
            ),
          5_000
        )
      }
    ]
  } finally {
    await sim.close()
    await emailsSim.close()
    await host.close()
  }
}

if (process.argv[1]?.endsWith("micro.ts")) {
  measure().then(
    (stages) => {
      for (const s of stages) console.log(`${s.micros.toFixed(2).padStart(10)} µs  ${s.stage}`)
    },
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
