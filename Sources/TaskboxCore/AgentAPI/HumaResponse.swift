import HTTPTypes
import Hummingbird

/// How huma writes a JSON answer (agentapi.md §2.1): a `$schema` field first, pointing at
/// `http://<Host>/schemas/<Name>.json` when Host starts with `localhost` or `127.0.0.1` and
/// https otherwise, the same path in a `Link` header, then compact JSON without HTML
/// escaping and the trailing newline of Go's `json.Encoder`.
enum HumaResponse {
    static func json(
        _ fields: [(key: String, value: GoJSON)], schema: String, request: Request,
        status: HTTPResponse.Status = .ok, contentType: String = "application/json"
    ) -> Response {
        let host = request.head.authority ?? ""
        let local = host.hasPrefix("localhost") || host.hasPrefix("127.0.0.1")
        let schemaURL = (local ? "http://" : "https://") + host + "/schemas/\(schema).json"
        let body = GoJSON.object([(key: "$schema", value: .string(schemaURL))] + fields)
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("Link")!] = "</schemas/\(schema).json>; rel=\"describedBy\""
        return Response(
            status: status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body.encoded(escapeHTML: false) + "\n")))
    }

    static func problem(_ problem: HumaProblem, request: Request) -> Response {
        json(problem.fields, schema: "ErrorModel", request: request,
             status: HTTPResponse.Status(code: problem.status), contentType: "application/problem+json")
    }

    /// Go's `http.Error`: plain text with a newline, used by chi and agentapi's host check.
    static func plainText(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
