/**
 * Entry of the simulator process: answers `Command`s from the parent over IPC. It exits when the
 * parent goes away, so a killed benchmark leaves no server behind.
 */
import { type Command, makeDispatcher } from "./commands.js"

interface Request {
  readonly id: number
  readonly command: Command
}

const { dispatch, closeAll } = makeDispatcher()

process.on("message", (message: Request) => {
  dispatch(message.command).then(
    (value) => process.send?.({ id: message.id, ok: true, value }),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error)
      })
  )
})

process.on("disconnect", () => {
  closeAll().finally(() => process.exit(0))
})

process.send?.({ id: 0, ok: true, value: "ready" })
