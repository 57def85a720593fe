import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One entry of an agentapi conversation (`Message`, agentapi.md §2.1).
public struct AgentMessage: Sendable, Equatable {
    public var id: Int64
    public var content: String
    /// `user` or `agent`; anything else is passed on for the caller to reject
    /// (tasks-api.md §1.7 step 4).
    public var role: String
    /// RFC 3339 text exactly as the agent sent it, once checked to parse. agentapi writes
    /// Go's RFC 3339 with nanoseconds, which is also what coderd would re-render, so logs
    /// keep the agent's precision. A missing time reads as Go's zero time.
    public var time: String

    public init(id: Int64, content: String, role: String, time: String) {
        self.id = id
        self.content = content
        self.role = role
        self.time = time
    }
}

/// Why a call to agentapi failed. The text becomes the `detail` of taskbox's 502 answers,
/// so it follows Coder's Go SDK (`failed to get status: <body>`, agentapi.md §3) and adds
/// the HTTP status, which the SDK leaves out.
public struct AgentAPIError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// A client for one agentapi server, with the decoding rules of Coder's Go SDK
/// (agentapi.md §3): only a 200 with a Content-Type containing "json" is an answer,
/// unknown keys are ignored, missing keys take Go's zero values, ids are integers and
/// times RFC 3339. Every call is bounded by `connectTimeout` and `requestTimeout`.
public struct AgentAPIClient: Sendable {
    public let baseURL: String
    /// The agent token of the app's agent, sent as `Authorization: Bearer <token>` so the
    /// built-in agents answer only taskbox; agentapi servers without a token ignore it.
    public let token: String?
    private let transport: AgentHTTPTransport

    /// Error bodies are quoted up to this many bytes.
    static let bodyQuoteLimit = 1024

    /// Without an `httpClient`, calls share a process-wide pool configured with
    /// `connectTimeout`; a given client keeps its own connect timeout.
    public init(
        baseURL: String, token: String? = nil, httpClient: HTTPClient? = nil,
        connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30)
    ) {
        self.baseURL = baseURL
        self.token = token
        self.transport = AgentHTTPTransport(
            httpClient: httpClient, connectTimeout: connectTimeout, requestTimeout: requestTimeout)
    }

    /// `GET /status` → `stable`, `running`, or whatever the server said.
    public func status() async throws(AgentAPIError) -> String {
        let body = try await call(.GET, "/status", operation: "get status")
        do {
            return try AgentAPIDecoding.status(from: body)
        } catch {
            throw AgentAPIError("failed to get status: \(error)")
        }
    }

    /// `GET /messages` in server order.
    public func messages() async throws(AgentAPIError) -> [AgentMessage] {
        let body = try await call(.GET, "/messages", operation: "get messages")
        do {
            return try AgentAPIDecoding.messages(from: body)
        } catch {
            throw AgentAPIError("failed to get messages: \(error)")
        }
    }

    /// `POST /message`. The body is what Go's `json.Marshal` writes for the SDK's request
    /// struct, `{"content":…,"type":"user"}` (tasks-api.md §1.6 step 5).
    public func send(content: String, type: String = "user") async throws(AgentAPIError) {
        _ = try await call(.POST, "/message", body: Self.messageBody(content: content, type: type), operation: "post message")
    }

    static func messageBody(content: String, type: String) -> String {
        GoJSON.object([(key: "content", value: .string(content)), (key: "type", value: .string(type))])
            .encoded(escapeHTML: true)
    }

    /// The URL the Go SDK would call: the path is appended to the base, keeping any base path.
    func url(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    private func call(
        _ method: HTTPMethod, _ path: String, body: String? = nil, operation: String
    ) async throws(AgentAPIError) -> GoJSON {
        let url = url(path)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw AgentAPIError("failed to \(operation): invalid agentapi URL \(goQuote(baseURL)): want http:// or https://")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }

        let reply: AgentHTTPTransport.Reply
        do {
            reply = try await transport.exchange(request)
        } catch {
            throw AgentAPIError("failed to \(operation): \(Self.describe(error, method: method, url: url, timeout: transport.requestTimeout))")
        }

        // agentapi.md §3: the SDK keeps a body only for a 200 whose Content-Type contains "json".
        guard reply.status == .ok, reply.contentType.contains("json") else {
            var text = "failed to \(operation): HTTP \(reply.status.code) \(reply.status.reasonPhrase)"
            if reply.status == .ok {
                text += " with Content-Type \(goQuote(reply.contentType)), not JSON"
            }
            let quoted = Self.quote(reply.body)
            throw AgentAPIError(quoted.isEmpty ? text : text + ": " + quoted)
        }
        do {
            return try GoJSON.parse(reply.body.readableBytesView)
        } catch {
            throw AgentAPIError("failed to \(operation): \(error.description)")
        }
    }

    /// The start of a body, trimmed, for error texts.
    static func quote(_ body: ByteBuffer) -> String {
        let bytes = body.readableBytesView
        var text = String(decoding: bytes.prefix(bodyQuoteLimit), as: UTF8.self)
        if bytes.count > bodyQuoteLimit {
            // Drop a character the cut may have split.
            if text.last == "\u{FFFD}" { text.removeLast() }
            text += "…"
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Worded like Go's `*url.Error` (`Get "http://…/status": …`), which is what the SDK
    /// returns for a failed round trip.
    static func describe(_ failure: AgentHTTPTransport.Failure, method: HTTPMethod, url: String, timeout: Duration) -> String {
        let verb = method.rawValue.prefix(1) + method.rawValue.dropFirst().lowercased()
        let reason: String = switch failure {
        case .timedOut: "context deadline exceeded (no complete answer within \(AgentHTTPTransport.text(timeout)))"
        case .tooLarge: "response body larger than \(AgentHTTPTransport.maxBodyBytes) bytes"
        case .transport(let error): transportReason(error, address: dialAddress(url))
        }
        return "\(verb) \(goQuote(url)): \(reason)"
    }

    /// `host:port` as Go's dialer names it, the scheme's port filled in.
    static func dialAddress(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPart = authority.split(separator: "@").last.map(String.init) ?? ""
        let hasPort = hostPart.hasPrefix("[") ? hostPart.contains("]:") : hostPart.contains(":")
        if hasPort { return hostPart }
        return hostPart + (url.hasPrefix("https") ? ":443" : ":80")
    }

    private static func transportReason(_ error: any Error, address: String) -> String {
        switch error {
        case let error as HTTPClientError where error == .connectTimeout:
            return "dial tcp \(address): i/o timeout (connect timeout)"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            return "EOF (connection closed by the agent)"
        case ChannelError.connectTimeout:
            return "dial tcp \(address): i/o timeout (connect timeout)"
        case let error as NIOConnectionError:
            // One failure per address tried; the first says enough.
            return error.connectionErrors.first.map { transportReason($0.error, address: address) }
                ?? String(describing: error)
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return "dial tcp \(address): connect: connection refused"
        case let error as IOError where error.errnoCode == ECONNRESET:
            return "read: connection reset by peer"
        default:
            return String(describing: error)
        }
    }
}
