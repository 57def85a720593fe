import Foundation

/// JSON-RPC 2.0 over an agent process's stdio, one message per line (ACP's framing,
/// agents.md §6): requests out with their answers matched by id, requests and
/// notifications in, handled in the order they arrive. Malformed lines are reported,
/// never fatal; an incoming request that fails gets a JSON-RPC error answer.
actor JSONRPCConnection {
    struct RemoteError: Error, Equatable, CustomStringConvertible {
        var code: Int
        var message: String

        static func methodNotFound(_ method: String) -> RemoteError { RemoteError(code: -32601, message: "Method not found: \(method)") }
        static func invalidParams(_ why: String) -> RemoteError { RemoteError(code: -32602, message: "Invalid params: \(why)") }

        var description: String { "\(message) (JSON-RPC error \(code))" }
    }

    /// The process ended while a request waited for its answer.
    struct Closed: Error, CustomStringConvertible {
        var description: String { "the agent closed the connection" }
    }

    /// What the other side asks of us: a request gets the result or error returned.
    struct Handlers: Sendable {
        var request: @Sendable (_ method: String, _ params: GoJSON) async -> Result<GoJSON, RemoteError>
        var notification: @Sendable (_ method: String, _ params: GoJSON) async -> Void
        /// A line that is not JSON-RPC, or an answer to no request.
        var problem: @Sendable (String) async -> Void
    }

    private let process: AgentProcess
    private var nextID = 0
    private var pending: [Int: CheckedContinuation<GoJSON, any Error>] = [:]
    private var closed = false

    init(process: AgentProcess) {
        self.process = process
    }

    /// Reads until the process closes its stdout; then every waiting request fails with `Closed`.
    func run(_ handlers: Handlers) async {
        for await line in process.lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            await receive(line, handlers)
        }
        closed = true
        for continuation in pending.values { continuation.resume(throwing: Closed()) }
        pending.removeAll()
    }

    func request(_ method: String, _ params: GoJSON) async throws -> GoJSON {
        guard !closed else { throw Closed() }
        nextID += 1
        let id = nextID
        let message = GoJSON.object([
            (key: "jsonrpc", value: .string("2.0")), (key: "id", value: .int(id)),
            (key: "method", value: .string(method)), (key: "params", value: params),
        ])
        return try await withCheckedThrowingContinuation { continuation in
            pending[id] = continuation
            do {
                try process.write(line: message.encoded(escapeHTML: false))
            } catch {
                pending.removeValue(forKey: id)?.resume(throwing: error)
            }
        }
    }

    func notify(_ method: String, _ params: GoJSON) {
        try? process.write(line: GoJSON.object([
            (key: "jsonrpc", value: .string("2.0")), (key: "method", value: .string(method)), (key: "params", value: params),
        ]).encoded(escapeHTML: false))
    }

    private func receive(_ line: String, _ handlers: Handlers) async {
        guard let message = try? GoJSON.parse(line), case .object = message else {
            await handlers.problem("a line that is not a JSON object: \(ToolLine.oneLine(line))")
            return
        }
        let id = message["id"]
        if case .string(let method)? = message["method"] {
            let params = message["params"] ?? .null
            guard let id, !id.isNull else {
                await handlers.notification(method, params)
                return
            }
            let answer = await handlers.request(method, params)
            var reply: [(key: String, value: GoJSON)] = [(key: "jsonrpc", value: .string("2.0")), (key: "id", value: id)]
            switch answer {
            case .success(let result):
                reply.append((key: "result", value: result))
            case .failure(let error):
                reply.append((key: "error", value: .object([(key: "code", value: .int(error.code)), (key: "message", value: .string(error.message))])))
            }
            try? process.write(line: GoJSON.object(reply).encoded(escapeHTML: false))
            return
        }
        guard let number = id?.numberValue, let continuation = pending.removeValue(forKey: Int(number)) else {
            await handlers.problem("an answer to no request: \(ToolLine.oneLine(line))")
            return
        }
        if let error = message["error"], !error.isNull {
            continuation.resume(throwing: RemoteError(
                code: error["code"]?.numberValue.map { Int($0) } ?? 0, message: error["message"]?.stringValue ?? "unknown error"))
        } else {
            continuation.resume(returning: message["result"] ?? .null)
        }
    }
}
