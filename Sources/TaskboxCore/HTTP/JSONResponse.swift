import Hummingbird

/// Writes JSON the way Coder's `httpapi.Write` does: `application/json; charset=utf-8`,
/// `JSONWriter`'s Go escaping (`<`, `>` and `&` as `\u003c` etc.), and a trailing newline
/// (tasks-api.md §1.0.2).
public enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    /// Writes an `Encodable` value through `JSONWriter.encode(_:)` (keys in encode order).
    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var writer = JSONWriter()
        try writer.encode(value)
        return response(writer, status: status)
    }

    /// Writes a value that writes itself with `JSONWriter` (the hot task and workspace responses).
    public static func make(writing value: some JSONWritable, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter()
        value.write(to: &writer)
        return response(writer, status: status)
    }

    public static func error(_ error: APIError) -> Response {
        make(writing: ErrorEnvelope(error), status: .init(code: error.status))
    }

    private static func response(_ writer: JSONWriter, status: HTTPResponse.Status) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(writer.bytes.count + 1)
        buffer.writeBytes(writer.bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }
}
