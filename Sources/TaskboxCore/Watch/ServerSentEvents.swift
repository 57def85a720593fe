/// One Server-Sent Event as the WHATWG grammar reads it: `event:` (default `message`),
/// `data:` lines joined by newlines, and the `id:` in effect.
public struct ServerSentEvent: Sendable, Equatable {
    public var event: String
    public var data: String
    public var id: String?

    public init(event: String, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// The frame on the wire: `id:` (when set), `event:`, one `data:` line per line, a blank line.
    public var frame: String {
        var text = ""
        if let id { text += "id: \(id)\n" }
        text += "event: \(event)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return text + "\n"
    }
}

/// Reads an SSE byte stream incrementally. Comment lines (`:`) are skipped; a line longer
/// than `maxLineBytes` is an error, so a broken peer cannot grow memory without bound.
public struct ServerSentEventParser: Sendable {
    public struct LineTooLong: Error {}

    public let maxLineBytes: Int
    private var line: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var sawData = false
    private var lastCR = false
    /// The last `id:` seen, as a reconnect's `Last-Event-ID`.
    public private(set) var lastEventID: String?

    public init(maxLineBytes: Int = 1 << 20) { self.maxLineBytes = maxLineBytes }

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [ServerSentEvent] {
        let bytes = Array(bytes)
        var events: [ServerSentEvent] = []
        var start = 0
        // Whole runs up to a line end are appended at once: a long data line costs one copy.
        while start < bytes.count {
            if lastCR && bytes[start] == UInt8(ascii: "\n") {
                lastCR = false
                start += 1
                continue
            }
            lastCR = false
            guard let end = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
                line.append(contentsOf: bytes[start...])
                if line.count > maxLineBytes { throw LineTooLong() }
                break
            }
            line.append(contentsOf: bytes[start..<end])
            if line.count > maxLineBytes { throw LineTooLong() }
            lastCR = bytes[end] == UInt8(ascii: "\r")
            if let event = endLine() { events.append(event) }
            start = end + 1
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                event = ""
                data = []
                sawData = false
            }
            guard sawData else { return nil }
            return ServerSentEvent(event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n"), id: lastEventID)
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data":
            data.append(String(value))
            sawData = true
        case "id" where !value.contains("\0"): lastEventID = String(value)
        default: break
        }
        return nil
    }
}
