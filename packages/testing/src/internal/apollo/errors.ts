/** Documented error answers, thrown inside handlers and turned into responses by the server. */

export class ApiError {
  constructor(
    readonly status: number,
    readonly body: unknown
  ) {}
}

export const unprocessable = (error: string, code?: string): ApiError =>
  new ApiError(422, code === undefined ? { error } : { error, code })

export const notFound = (): ApiError => new ApiError(404, { error: "Record not found." })

export const alreadyProcessing = (): ApiError =>
  new ApiError(429, { error: "We are already processing the request for your sequence" })

export const forbidden = (scope: string): ApiError =>
  new ApiError(403, {
    error:
      "This API key is not authorized to access " +
      scope +
      ". Request an API key from your administrator that includes this endpoint in its configured scope.",
    error_code: "API_INACCESSIBLE"
  })

/** 401 is plain text on Apollo, not JSON. */
export const unauthorizedText =
  "Invalid API key. See https://docs.apollo.io/reference/authentication for how to authenticate."
