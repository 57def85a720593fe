import AsyncHTTPClient
import Foundation
import NIOCore

/// The optional LLM task namer of tasks-api.md §3.3: used only when `ANTHROPIC_API_KEY` is
/// set; `ANTHROPIC_BASE_URL` points it elsewhere (tests use a local server). Every failure is
/// an error the caller logs before it falls back to `TaskName.fallback()`.
public struct TaskNameGenerator: Sendable {
    public var apiKey: String
    public var model: String
    public var baseURL: String
    /// The whole generation, connect included: a create never waits longer for a name; an
    /// unreachable or slow model API means the random fallback name.
    public var timeout: Duration = .seconds(1)

    public static let defaultModel = "claude-3-5-haiku-latest"

    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let key = environment["ANTHROPIC_API_KEY"], !key.isEmpty else { return nil }
        apiKey = key
        model = environment["ANTHROPIC_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultModel
        baseURL = environment["ANTHROPIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.anthropic.com"
    }

    static let systemPrompt = """
        Generate a short workspace name from this AI task prompt.

        Requirements:
        - Only lowercase letters, numbers, and hyphens
        - Start with "task-"
        - Maximum 27 characters total
        - Descriptive of the main task

        Examples:
        - "Help me debug a Python script" → "task-python-debug"
        - "Create a React dashboard component" → "task-react-dashboard"
        - "Analyze sales data from Q3" → "task-analyze-q3-sales"
        - "Set up CI/CD pipeline" → "task-setup-cicd"

        If you cannot create a suitable name, respond with just "task-unnamed".
        """

    struct MessagesRequest: Encodable {
        struct Message: Encodable { var role: String; var content: String }
        var model: String
        var max_tokens: Int
        var system: String
        var messages: [Message]
    }

    struct MessagesResponse: Decodable {
        struct Block: Decodable { var type: String; var text: String? }
        var content: [Block]
    }

    public func generate(prompt: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + "/v1/messages")
        request.method = .POST
        request.headers.add(name: "x-api-key", value: apiKey)
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        request.headers.add(name: "content-type", value: "application/json")
        let body = MessagesRequest(
            model: model, max_tokens: 24, system: Self.systemPrompt, messages: [.init(role: "user", content: prompt)])
        request.body = .bytes(ByteBuffer(string: try JSONWriter.text(body)))
        // Not the shared client: that one retries a refused connect until its deadline.
        let transport = AgentHTTPTransport(httpClient: nil, connectTimeout: timeout / 2, requestTimeout: timeout)
        let reply = try await transport.exchange(request)
        guard reply.status == .ok else {
            throw TaskNameError.invalidName(name: "", reason: "anthropic answered \(reply.status.code)")
        }
        let decoded = try JSONDecoder().decode(MessagesResponse.self, from: Data(reply.body.readableBytesView))
        let text = decoded.content.compactMap(\.text).joined()
        return try TaskName.fromLLMOutput(text.isEmpty ? nil : text, suffix: TaskName.randomSuffix()).get()
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
