import Foundation
import Hummingbird

/// Writes JSON the way Coder's `httpapi.Write` does: `application/json; charset=utf-8`,
/// `<`, `>` and `&` escaped as `\u003c` etc., and a trailing newline (tasks-api.md §1.0.2).
public enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return make(bytes: data, status: status)
    }

    /// Writes a value with `JSONWriter` (keys in declared order, Go's escaping).
    public static func make(writing value: some JSONWritable, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter()
        value.write(to: &writer)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(writer.bytes.count + 1)
        buffer.writeBytes(writer.bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }

    /// Wraps already encoded JSON bytes.
    public static func make(bytes data: some Collection<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.count + 16)
        for byte in data {
            switch byte {
            case UInt8(ascii: "<"): buffer.writeString("\\u003c")
            case UInt8(ascii: ">"): buffer.writeString("\\u003e")
            case UInt8(ascii: "&"): buffer.writeString("\\u0026")
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }

    public static func error(_ error: APIError) -> Response {
        make(writing: ErrorEnvelope(error), status: .init(code: error.status))
    }
}
