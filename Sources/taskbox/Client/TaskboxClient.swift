import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TaskboxCore

/// A value as the client decoded it, with the JSON the server sent for `-o json`.
struct Fetched<Value> {
    var value: Value
    var json: JSONValue
}

extension Fetched: Sendable where Value: Sendable {}

/// One entry of `GET …/logs` (tasks-api.md §1.7).
struct TaskLogEntry: Decodable, Equatable, Sendable {
    var id: Int
    var content: String
    var type: String
    var time: String
}

/// The taskbox HTTP API as the command line uses it, with the token of a `ClientConfig`.
/// Every client command goes through here; none of them opens the database.
struct TaskboxClient {
    let config: ClientConfig
    var timeout: TimeAmount = .seconds(30)

    static func fromEnvironment() throws -> TaskboxClient { TaskboxClient(config: try ClientConfig.load()) }

    // MARK: endpoints

    struct User: Decodable { var id: String; var username: String }

    func me() async throws -> User { try await get("/api/v2/users/me").value }

    /// `GET /api/v2/tasks` (tasks-v2.md §3.1), or the experimental list on an older server:
    /// the tasks matching `query`, at most `limit`.
    func tasks(query: String, limit: Int? = nil) async throws -> Fetched<[TaskResponse]> {
        var parameters = [("q", query)]
        if let limit { parameters.append(("limit", String(limit))) }
        struct Page: Decodable { var tasks: [TaskResponse] }
        let page: Fetched<Page> = try await v2OrExperimental {
            try await get("/api/v2/tasks", query: parameters)
        } experimental: {
            try await get("/api/experimental/tasks", query: parameters)
        }
        return Fetched(value: page.value.tasks, json: page.json["tasks"] ?? .array([]))
    }

    func task(id: String) async throws -> Fetched<TaskResponse> {
        try await get(try await tasksPath(Self.segment(id)))
    }

    struct CreateTask: Encodable {
        var template_version_id: String
        var template_version_preset_id: String?
        var input: String
        var name: String?
        var display_name: String?
    }

    func createTask(owner: String, _ body: CreateTask) async throws -> Fetched<TaskResponse> {
        let data = try JSONEncoder().encode(body)
        return try decode(try await v2OrExperimental {
            try await call(.POST, "/api/v2/tasks/\(Self.segment(owner))", body: data)
        } experimental: {
            try await call(.POST, "/api/experimental/tasks/\(Self.segment(owner))", body: data)
        })
    }

    func deleteTask(id: String) async throws {
        _ = try await call(.DELETE, try await tasksPath(Self.segment(id)))
    }

    func send(id: String, input: String) async throws {
        let body = try JSONEncoder().encode(["input": input])
        _ = try await call(.POST, try await tasksPath(Self.segment(id)) + "/send", body: body)
    }

    /// `POST …/send` with `"queue": true` (issue #17): nil when the agent took the input at
    /// once, otherwise where it waits in the task's queue.
    struct Queued: Decodable { var queued: Bool; var id: String; var position: Int }

    func sendOrQueue(id: String, input: String) async throws -> Queued? {
        struct Body: Encodable { var input: String; var queue = true }
        let data = try await call(.POST, try await tasksPath(Self.segment(id)) + "/send", body: try JSONEncoder().encode(Body(input: input)))
        return data.isEmpty ? nil : try decode(data).value
    }

    /// `GET …/logs`; a v2 server answers a task that is not active from its snapshot.
    struct TaskLogs: Decodable {
        var logs: [TaskLogEntry]
        var snapshot: Bool?
        var snapshot_at: String?
    }

    func logs(id: String) async throws -> Fetched<TaskLogs> {
        try await get(try await tasksPath(Self.segment(id)) + "/logs")
    }

    /// `POST …/pause` or `…/resume` (tasks-v2.md §3.9, §3.10): the build it started.
    struct BuildAnswer: Decodable {
        struct Build: Decodable { var id: String; var build_number: Int; var transition: String }
        var workspace_build: Build
    }

    func lifecycle(id: String, _ action: String) async throws -> BuildAnswer {
        guard try await speaksV2() else { throw CLIError("the server at \(config.url) does not support \(action) (no /api/v2/tasks)") }
        return try decode(try await call(.POST, "/api/v2/tasks/me/\(Self.segment(id))/\(action)")).value
    }

    // MARK: API version

    /// The path of a task by id or name under `owner` (`me` by default) in the API the server speaks.
    func tasksPath(_ segment: String, owner: String = "me") async throws -> String {
        try await speaksV2()
            ? "/api/v2/tasks/\(Self.segment(owner))/\(segment)"
            : "/api/experimental/tasks/\(Self.segment(owner))/\(segment)"
    }

    /// Whether the server has the v2 task routes; asked once per process.
    func speaksV2() async throws -> Bool {
        if let known = Self.v2Known.withLock({ $0 }) { return known }
        do {
            _ = try await call(.GET, "/api/v2/tasks", query: [("q", "owner:me"), ("limit", "1")])
            Self.v2Known.withLock { $0 = true }
        } catch let error as ServerResponseError where error.isRouteNotFound {
            Self.v2Known.withLock { $0 = false }
        }
        return Self.v2Known.withLock { $0 } ?? true
    }

    /// Runs the v2 call, or the experimental one on a server without v2 routes.
    func v2OrExperimental<T>(_ v2: () async throws -> T, experimental: () async throws -> T) async throws -> T {
        if Self.v2Known.withLock({ $0 }) == false { return try await experimental() }
        do {
            let value = try await v2()
            Self.v2Known.withLock { $0 = true }
            return value
        } catch let error as ServerResponseError where error.isRouteNotFound {
            Self.v2Known.withLock { $0 = false }
            return try await experimental()
        }
    }

    static let v2Known = Mutex<Bool?>(nil)

    func templates() async throws -> [TemplateRecord] { try await get("/api/v2/templates").value }

    func presets(templateVersionID: String) async throws -> [PresetRecord] {
        try await get("/api/v2/templateversions/\(Self.segment(templateVersionID))/presets").value
    }

    // MARK: transport

    func get<T: Decodable>(_ path: String, query: [(String, String)] = []) async throws -> Fetched<T> {
        try decode(try await call(.GET, path, query: query))
    }

    func decode<T: Decodable>(_ data: Data) throws -> Fetched<T> {
        do {
            let decoder = JSONDecoder()
            return Fetched(value: try decoder.decode(T.self, from: data), json: try decoder.decode(JSONValue.self, from: data))
        } catch {
            throw CLIError("unexpected answer from \(config.url): \(error)")
        }
    }

    /// Sends one request; a status of 400 or more becomes a `ServerResponseError`, no answer
    /// at all an `UnreachableServerError` naming the URL.
    func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil) async throws -> Data {
        var url = config.url + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Coder-Session-Token", value: config.token)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "taskbox-cli/\(TaskboxVersion.current)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await Self.http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw UnreachableServerError(url: config.url, reason: Self.reason(error))
        }
        let data = Data(buffer: bytes)
        guard status < 400 else { throw Self.serverError(status: status, body: data, url: url) }
        return data
    }

    /// One client for the process. A command line fails at once when nobody listens,
    /// rather than retrying the connection until the request's deadline as servers do.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    static func serverError(status: Int, body: Data, url: String) -> ServerResponseError {
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: body), !envelope.message.isEmpty {
            return ServerResponseError(status: status, envelope: envelope)
        }
        // Not a taskbox answer (a proxy, another server): say what came back.
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var envelope = ErrorEnvelope(APIError(status, "unexpected HTTP \(status) from \(url)"))
        envelope.detail = text.isEmpty ? nil : text
        return ServerResponseError(status: status, envelope: envelope)
    }

    /// A short reason for a failed connection, instead of NIO's nested error values.
    static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded: return "no answer in time"
            case .remoteConnectionClosed: return "the connection was closed"
            default: break
            }
        }
        let text = String(describing: error)
        for (pattern, reason) in [
            ("Connection refused", "connection refused"), ("ECONNREFUSED", "connection refused"),
            ("Connection reset", "connection reset"), ("UnknownHost", "unknown host"),
        ] where text.contains(pattern) {
            return reason
        }
        return text
    }

    /// RFC 3986 unreserved characters stay; everything else (spaces, `:`, `+`, `"`) is escaped.
    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func segment(_ text: String) -> String { percentEncoded(text) }
}
