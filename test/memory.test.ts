import { Memory, Sequences } from "@unisequence/core"
import { Effect, Layer } from "effect"
import { ConformanceProbe, conformance } from "./src/conformance.js"

/** A fresh in-memory provider per test, its write counter as the probe. */
const memory = ({ pageSize }: { readonly pageSize: number }) =>
  Layer.unwrapEffect(
    Memory.make({ pageSize }).pipe(
      Effect.map((service) =>
        Layer.mergeAll(
          Layer.succeed(Sequences.Sequences, service),
          Layer.succeed(ConformanceProbe, {
            writes: service.writeCount,
            enrollees: { emails: ["ada@example.com", "grace@example.com"], ids: ["contact-1"] }
          })
        )
      )
    )
  )

conformance("memory", memory)
