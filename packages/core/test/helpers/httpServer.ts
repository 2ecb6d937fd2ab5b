/** A tiny HTTP server on 127.0.0.1 answering from a script, for the transport and pipeline tests. */
import * as Http from "node:http"
import { Effect } from "effect"

export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

export type Reply =
  | {
      readonly status: number
      /** The body as text, or as bytes (which need not be UTF-8). */
      readonly body?: string | Uint8Array
      readonly headers?: Record<string, string>
    }
  | "hang"
  | "reset"

export interface Server {
  readonly url: string
  readonly seen: Array<Seen>
  readonly instance: Http.Server
}

/** A server answering each request with the next reply of `script` (the last one repeats). */
export const server = (script: ReadonlyArray<Reply>) =>
  Effect.acquireRelease(
    Effect.async<Server>((resume) => {
      const seen: Array<Seen> = []
      const instance = Http.createServer((request, response) => {
        let body = ""
        request.on("data", (chunk: Buffer) => {
          body += chunk.toString("utf8")
        })
        request.on("end", () => {
          seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body })
          const reply = script[Math.min(seen.length - 1, script.length - 1)]!
          if (reply === "hang") return
          if (reply === "reset") {
            request.socket.destroy()
            return
          }
          response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
          response.end(reply.body ?? "")
        })
      })
      instance.listen(0, "127.0.0.1", () => {
        const address = instance.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, seen, instance }))
      })
    }),
    ({ instance }) =>
      Effect.async<void>((resume) => {
        instance.closeAllConnections()
        instance.close(() => resume(Effect.void))
      })
  )
