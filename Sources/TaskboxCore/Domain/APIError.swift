/// An error as Coder's API reports it: an HTTP status and the `codersdk.Response` envelope
/// (tasks-api.md §1.0.2). Handlers throw it; one middleware writes it.
public struct APIError: Error, Equatable, Sendable {
    public var status: Int
    public var message: String
    public var detail: String?
    public var validations: [ValidationFailure]

    public init(_ status: Int, _ message: String, detail: String? = nil, validations: [ValidationFailure] = []) {
        self.status = status
        self.message = message
        self.detail = detail
        self.validations = validations
    }

    public static let resourceNotFoundMessage = "Resource not found or you do not have access to this resource"
    public static let signedOutMessage =
        "You are signed out or your session has expired. Please sign in again to continue."
    public static let forbiddenDetail =
        "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials."

    /// `httpapi.ResourceNotFound`: the same answer for "missing" and "not yours".
    public static let notFound = APIError(404, resourceNotFoundMessage)
    public static let routeNotFound = APIError(404, "Route not found.")


    /// A 500 with Coder's message for `cause`; the middleware logs the cause and never shows it.
    public static func `internal`(_ message: String, _ cause: any Error) -> InternalError {
        InternalError(message: message, cause: cause)
    }

    public static func badJSON(_ detail: String) -> APIError {
        APIError(400, "Request body must be valid JSON.", detail: detail)
    }
}

/// An unexpected failure (a database error, a file that cannot be written): 500 with Coder's
/// `Internal error …` message. Its cause may hold SQL or paths, so it only reaches the log.
public struct InternalError: Error, Sendable {
    public var message: String
    public var cause: any Error
}

/// The JSON body of an error response.
public struct ErrorEnvelope: Codable, Equatable, Sendable {
    public var message: String
    public var detail: String?
    public var validations: [ValidationFailure]?

    public init(_ error: APIError) {
        message = error.message
        detail = error.detail.flatMap { $0.isEmpty ? nil : $0 }
        validations = error.validations.isEmpty ? nil : error.validations
    }
}

extension ErrorEnvelope: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("message", message)
        if let detail { json.field("detail", detail) }
        if let validations {
            json.key("validations")
            json.beginArray()
            for v in validations {
                json.beginObject()
                json.field("field", v.field)
                json.field("detail", v.detail)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
    }
}
