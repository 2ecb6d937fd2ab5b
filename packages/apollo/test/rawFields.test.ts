/** Nothing is dropped without a word: every set Apollo field the neutral model does not hold warns. */
import { describe, expect, it } from "@effect/vitest"
import { Capabilities, Memory } from "@unisequence/core"
import { Effect, FastCheck as fc } from "effect"
import * as Apollo from "../src/Apollo.js"
import { rawFields } from "../src/internal/rawFields.js"
import { harness } from "./helpers.js"

const rawWarnings = (warnings: ReadonlyArray<Capabilities.Warning>) =>
  warnings.filter((w) => w.path.startsWith("raw.")).map((w) => w.path)

const touch = (subject: string) => ({
  status: "approved" as const,
  emailer_template: { subject, body_html: `<p>${subject}</p>` }
})

const translated = (id: string, options: Parameters<typeof harness>[0]) =>
  Effect.gen(function* () {
    const { apollo } = yield* harness(options)
    const sequence = yield* apollo.sequences.get(id)
    const { warnings } = yield* Capabilities.translate(sequence, Memory.capabilities, {
      sources: [Apollo.capabilities]
    })
    return warnings
  })

describe("Apollo fields the neutral model does not hold", () => {
  it.live("at Apollo's defaults: no such warning", () =>
    Effect.gen(function* () {
      const warnings = yield* translated("s1", {
        seed: {
          sequences: [
            {
              id: "s1",
              name: "Plain",
              emailer_steps: [
                { type: "auto_email", wait_time: 0, wait_mode: "minute", emailer_touches: [touch("A")] },
                { type: "auto_email", wait_time: 2, wait_mode: "day", emailer_touches: [touch("B")] }
              ]
            }
          ]
        }
      })
      expect(rawWarnings(warnings)).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.live("set: a signature, a step's daily cap, a folder, a reply window, excluded stages each warn", () =>
    Effect.gen(function* () {
      const warnings = yield* translated("s2", {
        seed: {
          sequences: [
            {
              id: "s2",
              name: "Set",
              settings: {
                folder_id: "folder_1",
                days_to_wait_before_mark_as_response: 9,
                excluded_contact_stage_ids: ["stage_1"]
              },
              emailer_steps: [
                {
                  type: "auto_email",
                  wait_time: 0,
                  wait_mode: "minute",
                  max_emails_per_day: 40,
                  emailer_touches: [{ ...touch("A"), include_signature: true }]
                }
              ]
            }
          ]
        }
      })
      expect(rawWarnings(warnings).sort()).toEqual(
        [
          "raw.emailer_campaign.days_to_wait_before_mark_as_response",
          "raw.emailer_campaign.excluded_contact_stage_ids",
          "raw.emailer_campaign.folder_id",
          "raw.emailer_steps[0].max_emails_per_day",
          "raw.emailer_touches[0].include_signature"
        ].sort()
      )
      const folder = warnings.find((w) => w.path === "raw.emailer_campaign.folder_id")
      expect(folder?.kind).toBe("dropped")
      expect(folder?.detail).toContain("Apollo's emailer_campaign.folder_id is set")
    }).pipe(Effect.scoped)
  )

  it('attachments on a touch warn ("Pricing PDF attached" must not go out silently without it)', () => {
    const raw = { emailer_touches: [{ id: "t1", status: "approved", attachment_ids: ["pdf_1"] }] }
    expect(Capabilities.unheldFields(raw, rawFields, "raw")).toEqual([
      "raw.emailer_touches[0].attachment_ids"
    ])
  })

  it("property: any field Apollo adds, set, warns; carried, meaningless and empty ones do not", () => {
    const listed = new Set(Object.keys(rawFields))
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z_]{1,20}$/).filter((k) => !/^unique_|_rate$/.test(k)),
        fc.oneof(
          fc.integer({ min: 1 }),
          fc.constant(true),
          fc.string({ minLength: 1 }).filter((s) => s.trim() !== ""),
          fc.array(fc.integer(), { minLength: 1 })
        ),
        (field, value) => {
          const campaign = { id: "c", name: "N", created_at: "2024-01-01", unique_opened: 3 }
          const known = Object.hasOwn(rawFields.emailer_campaign as object, field)
          const found = Capabilities.unheldFields(
            { emailer_campaign: { ...campaign, [field]: value } },
            rawFields
          )
          if (!known) expect(found).toEqual([`emailer_campaign.${field}`])
          const empty = Capabilities.unheldFields(
            { emailer_campaign: { ...campaign, [field]: null } },
            rawFields
          )
          expect(empty).toEqual([])
          expect(listed.has("emailer_campaign")).toBe(true)
        }
      ),
      { numRuns: 300 }
    )
  })
})
