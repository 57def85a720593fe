/// huma's RFC 7807 `ErrorModel` (agentapi.md §2.1): the body of every error agentapi
/// writes, served as `application/problem+json`. Keys are written in Go struct order and
/// empty ones are left out (`omitempty`).
struct HumaProblem: Error, Sendable {
    /// One `ErrorDetail`; a nil part is omitted, and so is a `value` of JSON null.
    struct Detail: Sendable {
        var message: String?
        var location: String?
        var value: GoJSON?

        var json: GoJSON {
            var members: [(key: String, value: GoJSON)] = []
            if let message, !message.isEmpty { members.append((key: "message", value: .string(message))) }
            if let location, !location.isEmpty { members.append((key: "location", value: .string(location))) }
            if let value, !value.isNull { members.append((key: "value", value: value)) }
            return .object(members)
        }
    }

    var status: Int
    var detail: String
    var errors: [Detail] = []

    /// A plain error returned by an agentapi handler: huma wraps it as a 500 and the reason
    /// appears only in `errors[0].message` (agentapi.md §2.4).
    static func handlerError(_ reason: String) -> HumaProblem {
        HumaProblem(status: 500, detail: "unexpected error occurred", errors: [Detail(message: reason)])
    }

    static func validationFailed(_ status: Int, _ errors: [Detail]) -> HumaProblem {
        HumaProblem(status: status, detail: "validation failed", errors: errors)
    }

    /// The body after huma's `$schema` field.
    var fields: [(key: String, value: GoJSON)] {
        var members: [(key: String, value: GoJSON)] = [
            (key: "title", value: .string(Self.statusText(status))),
            (key: "status", value: .int(status)),
            (key: "detail", value: .string(detail)),
        ]
        if !errors.isEmpty { members.append((key: "errors", value: .array(errors.map(\.json)))) }
        return members
    }

    /// Go's `http.StatusText`, which names some codes differently from RFC 9110.
    static func statusText(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Request Entity Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 500: "Internal Server Error"
        default: ""
        }
    }
}

extension GoJSON {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
