/**
 * @unisequence/client: email sequences on Kit, Apollo.io or in memory from plain JavaScript or
 * TypeScript, with Promises. The same services, errors and migration engine as the Effect packages,
 * with no Effect to learn.
 *
 * @example
 * ```ts
 * import { kit, SequenceNotFound } from "@unisequence/client"
 *
 * await using client = kit({ apiKey: process.env.KIT_API_KEY ?? "" })
 * try {
 *   const sequence = await client.get("123")
 *   console.log(sequence.name)
 * } catch (error) {
 *   if (error instanceof SequenceNotFound) console.log("no such sequence")
 *   else throw error
 * }
 * ```
 *
 * @packageDocumentation
 */
export * from "./Client.js"
export * from "./Errors.js"
export * from "./Migration.js"
export * from "./SequenceFile.js"
