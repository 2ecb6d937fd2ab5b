/**
 * Enrolling people: a subscriber (by email address) in a Kit sequence, and a contact (by id, sent
 * from a mailbox) in an Apollo sequence, through the same `enroll` call.
 *
 *   pnpm tsx examples/enroll.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { Apollo } from "@unisequence/apollo"
import { Kit } from "@unisequence/kit"
import { Chunk, Console, Effect, Stream } from "effect"
import { apolloOptions, kitOptions, usingSimulators } from "./support.js"

// Who to enrol; on the simulators these exist from the seeds below.
const subscriberEmail = process.env.EXAMPLE_KIT_SUBSCRIBER ?? "ada@example.com"
const contactId = process.env.EXAMPLE_APOLLO_CONTACT_ID ?? "66e34b81740c50074e3d1bd4"
const mailboxId = process.env.EXAMPLE_APOLLO_MAILBOX_ID ?? "6633baaece5fbd01c791d7ca"

const program = Effect.gen(function* () {
  if (!usingSimulators)
    yield* Console.log("using the real providers: set EXAMPLE_* to people of your account")
  const kit = yield* Kit.make(
    yield* kitOptions({
      subscribers: [{ email_address: "ada@example.com", first_name: "Ada" }],
      sequences: [
        {
          name: "Newsletter welcome",
          active: true,
          emails: [
            { subject: "Welcome", content: "<p>Hi</p>", published: true, delay_value: 0, delay_unit: "days" }
          ]
        }
      ]
    })
  )
  const apollo = yield* Apollo.make(
    yield* apolloOptions({
      sequences: [
        {
          name: "Outbound: founders",
          active: true,
          emailer_steps: [
            {
              type: "auto_email",
              wait_time: 0,
              wait_mode: "day",
              emailer_touches: [
                {
                  status: "approved",
                  emailer_template: { subject: "Quick question", body_html: "<p>Hi {{first_name}}</p>" }
                }
              ]
            }
          ]
        }
      ]
    })
  )

  const firstActive = (list: typeof kit.sequences.list) =>
    list().pipe(
      Stream.filter((s) => s.active === true),
      Stream.take(1),
      Stream.runCollect,
      Effect.map(Chunk.head)
    )

  const kitSequence = yield* firstActive(kit.sequences.list)
  if (kitSequence._tag === "Some") {
    const first = yield* kit.sequences.enroll(kitSequence.value.id, { emails: [subscriberEmail] })
    const second = yield* kit.sequences.enroll(kitSequence.value.id, { emails: [subscriberEmail] })
    yield* Console.log(
      `kit: ${subscriberEmail} in "${kitSequence.value.name}": added ${first.added}; enrolling again: added ${second.added}, already enrolled ${second.alreadyEnrolled}`
    )
  }

  const apolloSequence = yield* firstActive(apollo.sequences.list)
  if (apolloSequence._tag === "Some") {
    const result = yield* apollo.sequences.enroll(apolloSequence.value.id, {
      ids: [contactId],
      sendFrom: mailboxId
    })
    yield* Console.log(
      `apollo: contact ${contactId} in "${apolloSequence.value.name}": added ${result.added}`
    )
  }
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
