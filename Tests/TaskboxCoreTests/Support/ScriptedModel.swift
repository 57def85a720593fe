import Foundation
import Hummingbird
import Logging
import Synchronization

/// A scripted double of Anthropic's Messages API for the Claude Code tests (agents.md §7):
/// `POST /v1/messages` answers as a stream (SSE) decided by the last user message:
/// - after a tool result: "Wrote NAME." (or "The write of NAME was refused." when it failed);
/// - `write NAME`: a text block, then a `Write` tool use of NAME in Claude's working directory;
/// - `SLOW`: a text block, then nothing but pings for up to a minute (for interrupts);
/// - anything else: `Reply to: TEXT`.
/// `count_tokens` gets a fixed count. Every streaming request body is recorded.
final class ScriptedModel: Sendable {
    static let writtenContent = "written by the scripted model\n"

    private let recorded = Mutex<[String]>([])

    /// The bodies of `POST /v1/messages`, in order.
    var requests: [String] { recorded.withLock { $0 } }

    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/messages/count_tokens") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"input_tokens":10}"#)))
        }
        router.post("/v1/messages") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 64 << 20))
            // Only Claude Code streams; taskbox's own task namer does not, and gets an error.
            guard body.contains(#""stream":true"#) else {
                return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(
                    string: #"{"type":"error","error":{"type":"invalid_request_error","message":"the scripted model only streams"}}"#)))
            }
            self.recorded.withLock { $0.append(body) }
            let turn = Self.script(body)
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for event in turn.events { try await writer.write(ByteBuffer(string: event)) }
                if turn.hang {
                    for _ in 0..<300 {
                        try await Task.sleep(for: .milliseconds(200))
                        try await writer.write(ByteBuffer(string: "event: ping\ndata: {\"type\":\"ping\"}\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
        }
        var logger = Logger(label: "scripted-model")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger)
    }

    struct Turn {
        var events: [String]
        var hang = false
    }

    /// The answer to one request body.
    static func script(_ body: String) -> Turn {
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        let messages = json["messages"] as? [[String: Any]] ?? []
        let lastUser = messages.last { $0["role"] as? String == "user" }
        // Claude merges a tool result and the next user text into one message: the last
        // meaningful block decides.
        let blocks = (lastUser?["content"] as? [[String: Any]] ?? []).filter { block in
            block["type"] as? String == "tool_result"
                || (block["type"] as? String == "text" && !((block["text"] as? String ?? "").hasPrefix("<system-reminder>")))
        }
        let text = (lastUser?["content"] as? String) ?? (blocks.last?["text"] as? String ?? "")
        let model = json["model"] as? String ?? "claude-test"
        if let result = blocks.last, result["type"] as? String == "tool_result" {
            let name = Self.fileName(in: messages) ?? "the file"
            let refused = result["is_error"] as? Bool ?? false
            return Turn(events: stream(model: model, text: refused ? "The write of \(name) was refused." : "Wrote \(name).", stop: "end_turn"))
        }
        if let range = text.range(of: #"write (\S+)"#, options: .regularExpression) {
            let name = String(text[range].dropFirst("write ".count))
            let directory = body.range(of: #"Primary working directory: [^\\"]+"#, options: .regularExpression)
                .map { String(body[$0].dropFirst("Primary working directory: ".count)) } ?? "."
            let input = try! JSONSerialization.data(
                withJSONObject: ["file_path": directory + "/" + name, "content": writtenContent], options: [.withoutEscapingSlashes])
            return Turn(events: stream(model: model, text: "I will write \(name).", tool: String(decoding: input, as: UTF8.self), stop: "tool_use"))
        }
        if text.contains("SLOW") {
            return Turn(events: Array(stream(model: model, text: "Thinking slowly", stop: "end_turn").prefix(4)), hang: true)
        }
        return Turn(events: stream(model: model, text: "Reply to: \(text)", stop: "end_turn"))
    }

    /// The file of the last `Write` tool use in the conversation.
    static func fileName(in messages: [[String: Any]]) -> String? {
        for message in messages.reversed() {
            for block in (message["content"] as? [[String: Any]] ?? []).reversed() where block["type"] as? String == "tool_use" {
                if let path = (block["input"] as? [String: Any])?["file_path"] as? String { return (path as NSString).lastPathComponent }
            }
        }
        return nil
    }

    /// The Messages API's stream: message_start, a text block, an optional tool_use block, the end.
    static func stream(model: String, text: String, tool: String? = nil, stop: String) -> [String] {
        func event(_ name: String, _ data: [String: Any]) -> String {
            let json = try! JSONSerialization.data(withJSONObject: data, options: [.sortedKeys, .withoutEscapingSlashes])
            return "event: \(name)\ndata: \(String(decoding: json, as: UTF8.self))\n\n"
        }
        var events = [
            event("message_start", ["type": "message_start", "message": [
                "id": "msg_test", "type": "message", "role": "assistant", "model": model, "content": [Any](),
                "stop_reason": NSNull(), "stop_sequence": NSNull(), "usage": ["input_tokens": 12, "output_tokens": 1],
            ] as [String: Any]]),
            event("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]),
            event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": text]]),
            event("content_block_stop", ["type": "content_block_stop", "index": 0]),
        ]
        if let tool {
            events += [
                event("content_block_start", ["type": "content_block_start", "index": 1, "content_block": [
                    "type": "tool_use", "id": "toolu_test_\(UUID().uuidString.prefix(8))", "name": "Write", "input": [String: Any](),
                ] as [String: Any]]),
                event("content_block_delta", ["type": "content_block_delta", "index": 1, "delta": ["type": "input_json_delta", "partial_json": tool]]),
                event("content_block_stop", ["type": "content_block_stop", "index": 1]),
            ]
        }
        events += [
            event("message_delta", ["type": "message_delta", "delta": ["stop_reason": stop, "stop_sequence": NSNull()] as [String: Any],
                                    "usage": ["output_tokens": 7]]),
            event("message_stop", ["type": "message_stop"]),
        ]
        return events
    }
}

/// The Claude Code CLI for tests: `TASKBOX_TEST_CLAUDE_BIN` (set by .ci/run), else the copy
/// .ci/run leaves in `.tools/claude/claude`. On CI it must be there.
enum ClaudeBinary {
    static let path: String? = {
        let candidates = [ProcessInfo.processInfo.environment["TASKBOX_TEST_CLAUDE_BIN"],
                          Paths.repoRoot.appendingPathComponent(".tools/claude/claude").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var onCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Run the test when the CLI is there, and on CI always (where a missing CLI fails it).
    static var available: Bool {
        if path == nil && !onCI {
            print("Skipping Claude Code tests: set TASKBOX_TEST_CLAUDE_BIN or run .ci/run to install the CLI into .tools/claude/")
        }
        return path != nil || onCI
    }

    static func require() throws -> String {
        guard let path else {
            throw ServerError("the Claude Code CLI is missing: .ci/run installs it into .tools/claude/ (TASKBOX_TEST_CLAUDE_BIN)")
        }
        return path
    }

    /// What Claude Code needs to talk to the scripted model, offline, in a home of its own.
    static func environment(modelPort: Int, home: URL) -> [String: String] {
        try? FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return [
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(modelPort)", "ANTHROPIC_API_KEY": "anything",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "HOME": home.path,
        ]
    }
}
