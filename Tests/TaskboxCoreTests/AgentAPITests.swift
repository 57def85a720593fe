import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing
@testable import TaskboxCore

// The echo agent (agentapi.md §6) on real loopback ports, driven by AgentAPIClient
// (agentapi.md §3) and by raw HTTP. Every wait is bounded.

/// The echo agent's status, messages, send rules and reports.
@Suite(.timeLimit(.minutes(1))) struct EchoAgentTests {
    @Test func sendRunsThenEchoesAndBecomesStable() async throws {
        // Long enough that a busy machine still sees the running phase (1 s was starved when
        // three full suites ran at once).
        try await withEchoAgent(replyDelay: .seconds(3)) { agent in
            let client = agent.client
            #expect(try await client.status() == "stable")
            let greeting = try await client.messages()
            #expect(greeting.map(\.id) == [0])
            #expect(greeting.first?.role == "agent")
            #expect(greeting.first?.content == EchoAgentOptions.defaultGreeting)

            try await client.send(content: "  hello <world> & \"friends\"\n")
            #expect(try await client.status() == "running")
            try await eventually("the echo") { try await client.status() == "stable" }

            let messages = try await client.messages()
            #expect(messages.map(\.id) == [0, 1, 2])
            #expect(messages.map(\.role) == ["agent", "user", "agent"])
            // agentapi stores the trimmed content (agentapi.md §2.2).
            #expect(messages[1].content == "hello <world> & \"friends\"")
            #expect(messages[2].content == "Echo: hello <world> & \"friends\"")
            for message in messages { #expect(throws: Never.self) { try GoRFC3339Nano.parse(message.time) } }
        }
    }

    @Test func sendWhileRunningIsHuma500AndClientErrorCarriesTheReason() async throws {
        try await withEchoAgent(replyDelay: .seconds(30)) { agent in
            try await agent.client.send(content: "first")
            let reply = try await raw(.POST, agent.url + "/message", body: #"{"content":"second","type":"user"}"#)
            #expect(reply.status == 500)
            #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(reply.body == agent.problem(#""title":"Internal Server Error","status":500,"detail":"unexpected error occurred","errors":[{"message":"failed to send message: message can only be sent when the agent is waiting for user input"}]"#))

            let error = await #expect(throws: AgentAPIError.self) { try await agent.client.send(content: "third") }
            let text = error?.description ?? ""
            #expect(text.hasPrefix("failed to post message: HTTP 500 Internal Server Error: {"))
            #expect(text.contains("message can only be sent when the agent is waiting for user input"))
            // Refused sends leave no trace.
            #expect(try await agent.client.messages().map(\.content).last == "first")
        }
    }

    @Test func emptyOrBlankUserMessageIsHuma500() async throws {
        try await withEchoAgent { agent in
            for content in ["", " \n\t "] {
                let body = GoJSON.object([(key: "content", value: .string(content)), (key: "type", value: .string("user"))])
                let reply = try await raw(.POST, agent.url + "/message", body: body.encoded(escapeHTML: true))
                #expect(reply.status == 500)
                #expect(reply.body == agent.problem(#""title":"Internal Server Error","status":500,"detail":"unexpected error occurred","errors":[{"message":"failed to send message: message must not be empty"}]"#))
            }
            #expect(try await agent.client.status() == "stable")
        }
    }

    @Test func rawMessagesAreAcceptedAnytimeAndNeverStored() async throws {
        try await withEchoAgent(replyDelay: .seconds(30)) { agent in
            try await agent.client.send(content: "\u{1b}", type: "raw")
            #expect(try await agent.client.messages().count == 1)
            try await agent.client.send(content: "work")
            #expect(try await agent.client.status() == "running")
            let reply = try await raw(.POST, agent.url + "/message", body: #"{"content":"\u0003","type":"raw"}"#)
            #expect(reply.status == 200)
            #expect(reply.body == "{\"$schema\":\"\(agent.schema("MessageResponseBody"))\",\"ok\":true}\n")
            #expect(try await agent.client.messages().map(\.role) == ["agent", "user"])
        }
    }

    @Test func statusAndMessagesHaveHumaShapes() async throws {
        try await withEchoAgent { agent in
            let status = try await raw(.GET, agent.url + "/status")
            #expect(status.status == 200)
            #expect(status.headers.first(name: "Content-Type") == "application/json")
            #expect(status.headers.first(name: "Link") == #"</schemas/StatusResponseBody.json>; rel="describedBy""#)
            #expect(status.body == "{\"$schema\":\"\(agent.schema("StatusResponseBody"))\",\"status\":\"stable\",\"agent_type\":\"custom\",\"transport\":\"pty\"}\n")

            let messages = try await raw(.GET, agent.url + "/messages")
            let time = try #require(try await agent.client.messages().first?.time)
            let greeting = GoJSON.quote(EchoAgentOptions.defaultGreeting, escapeHTML: false)
            #expect(messages.body == "{\"$schema\":\"\(agent.schema("MessagesResponseBody"))\",\"messages\":[{\"id\":0,\"content\":\(greeting),\"role\":\"agent\",\"time\":\"\(time)\"}]}\n")
        }
    }

    /// huma's encoder calls `SetEscapeHTML(false)`: `< > &` stay as they are, U+2028 and
    /// controls are still escaped (agentapi.md §2.1).
    @Test func humaAnswersLeaveHTMLUnescaped() async throws {
        try await withEchoAgent { agent in
            try await agent.client.send(content: "a<b>&c\u{2028}\u{1}\"")
            try await eventually("the echo") { try await agent.client.status() == "stable" }
            let messages = try await raw(.GET, agent.url + "/messages")
            #expect(messages.body.contains(#""content":"a<b>&c\u2028\u0001\"","role":"user""#), "\(messages.body)")
            #expect(messages.body.contains(#""content":"Echo: a<b>&c\u2028\u0001\"","role":"agent""#), "\(messages.body)")
        }
    }

    @Test func initialPromptIsHandledLikeAFirstUserMessage() async throws {
        let reporter = RecordingReporter()
        try await withEchoAgent(initialPrompt: "  build the thing ", reporter: reporter) { agent in
            let first = try await agent.client.messages()
            #expect(first.map(\.role).prefix(2) == ["agent", "user"])
            #expect(first[1].content == "build the thing")
            try await eventually("the echo of the prompt") { try await agent.client.status() == "stable" }
            #expect(try await agent.client.messages().map(\.content).last == "Echo: build the thing")
            try await eventually("two reports") { reporter.updates.count == 2 }
            #expect(reporter.updates.map(\.state.rawValue) == ["working", "idle"])
        }
    }

    @Test func reporterSeesIdleAtStartThenWorkingThenIdle() async throws {
        let reporter = RecordingReporter()
        try await withEchoAgent(reporter: reporter) { agent in
            try await eventually("the start-up report") { reporter.updates.count == 1 }
            try await agent.client.send(content: "hi\nthere")
            try await eventually("the reply's report") { reporter.updates.count == 3 }
            #expect(reporter.updates == [
                .idle(EchoAgentState.idleMessage), .working("Echoing: hi there"), .idle(EchoAgentState.idleMessage),
            ])
        }
    }

    @Test func hostCheckUnknownPathsAndWrongMethodsAnswerLikeAgentapi() async throws {
        try await withEchoAgent { agent in
            let evil = try await raw(.GET, agent.url + "/status", headers: [("Host", "evil.example:3284")])
            #expect(evil.status == 400)
            #expect(evil.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
            #expect(evil.body == "Invalid host header. Allowed hosts: localhost, 127.0.0.1, ::1\n")

            let local = try await raw(.GET, agent.url + "/status", headers: [("Host", "localhost:9")])
            #expect(local.body.hasPrefix(#"{"$schema":"http://localhost:9/schemas/StatusResponseBody.json""#))

            let missing = try await raw(.GET, agent.url + "/nope")
            #expect(missing.status == 404)
            #expect(missing.body == "404 page not found\n")
            #expect(try await raw(.DELETE, agent.url + "/status").status == 405)
        }
    }

    @Test func anyHostIsAllowedWithStarAndGetsAnHTTPSSchema() async throws {
        try await withEchoAgent(allowedHosts: ["*"]) { agent in
            let reply = try await raw(.GET, agent.url + "/status", headers: [("Host", "agent.example")])
            #expect(reply.body.hasPrefix(#"{"$schema":"https://agent.example/schemas/StatusResponseBody.json""#))
        }
    }
}

/// `POST /message` bodies rejected before the handler, exactly as huma words them (agentapi.md §2.4).
struct AgentValidationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var body: String
    var contentType: String? = "application/json"
    var status: Int
    /// The body after `{"$schema":"…",`.
    var rest: String
    var testDescription: String { name }
}

private let validationCases: [AgentValidationCase] = [
    .init(name: "empty body", body: "", status: 400,
          rest: #""title":"Bad Request","status":400,"detail":"request body is required""#),
    .init(name: "over huma's 1 MiB limit", body: "\"" + String(repeating: "x", count: 1024 * 1024) + "\"", status: 413,
          rest: #""title":"Request Entity Too Large","status":413,"detail":"request body is too large limit=1048576 bytes""#),
    .init(name: "not JSON", body: "hello", status: 400,
          rest: #""title":"Bad Request","status":400,"detail":"validation failed","errors":[{"message":"invalid character 'h' looking for beginning of value","location":"body","value":"hello"}]"#),
    .init(name: "truncated JSON", body: #"{"content":"x""#, status: 400,
          rest: #""title":"Bad Request","status":400,"detail":"validation failed","errors":[{"message":"unexpected end of JSON input","location":"body","value":"{\"content\":\"x\""}]"#),
    .init(name: "unknown content type", body: "x", contentType: "text/plain", status: 415,
          rest: #""title":"Unsupported Media Type","status":415,"detail":"validation failed","errors":[{"message":"unknown content type: text/plain","location":"body","value":"x"}]"#),
    .init(name: "missing type", body: #"{"content":"x"}"#, status: 422,
          rest: #""title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected required property type to be present","location":"body","value":{"content":"x"}}]"#),
    .init(name: "missing content", body: #"{"type":"user"}"#, status: 422,
          rest: #""title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected required property content to be present","location":"body","value":{"type":"user"}}]"#),
    .init(name: "bad enum", body: #"{"content":"x","type":"foo"}"#, status: 422,
          rest: #""title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected value to be one of \"user, raw\"","location":"body.type","value":"foo"}]"#),
    .init(name: "extra property", body: #"{"type":"user","content":"x","extra":1.50}"#, status: 422,
          rest: #""title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"unexpected property","location":"body.extra","value":{"content":"x","extra":1.5,"type":"user"}}]"#),
    .init(name: "wrong types", body: #"{"content":5,"type":null}"#, status: 422,
          rest: #""title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected string","location":"body.content","value":5},{"message":"expected string","location":"body.type"}]"#),
    .init(name: "not an object", body: "null", status: 422,
          rest: #""title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected object","location":"body"}]"#),
]

@Test(.timeLimit(.minutes(1)), arguments: validationCases)
func echoAgentRejectsBadMessageBodiesLikeHuma(_ testCase: AgentValidationCase) async throws {
    try await withEchoAgent { agent in
        let headers = testCase.contentType.map { [("Content-Type", $0)] } ?? []
        let reply = try await raw(.POST, agent.url + "/message", body: testCase.body, headers: headers)
        #expect(reply.status == testCase.status)
        #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
        #expect(reply.body == agent.problem(testCase.rest))
        #expect(try await agent.client.messages().count == 1)
    }
}

@Test(.timeLimit(.minutes(1))) func keysMatchCaseInsensitivelyLikeGo() async throws {
    try await withEchoAgent { agent in
        let reply = try await raw(.POST, agent.url + "/message", body: #"{"Content":"shout","TYPE":"user"}"#)
        #expect(reply.status == 200)
        #expect(try await agent.client.messages()[1].content == "shout")
    }
}

/// `GET /events` (agentapi.md §2.6).
@Suite(.timeLimit(.minutes(1))) struct EchoAgentEventTests {
    @Test func replayThenLiveEventsThenCleanupOnDisconnect() async throws {
        try await withEchoAgent { agent in
            try await agent.client.send(content: "one")
            try await eventually("the first echo") { try await agent.client.status() == "stable" }
            let times = try await agent.client.messages().map(\.time)

            try await within(.seconds(20), "the event stream") {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: agent.url + "/events"), timeout: .seconds(10))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                #expect(response.headers.first(name: "Cache-Control") == "no-cache, no-store, must-revalidate")
                #expect(response.headers.first(name: "X-Accel-Buffering") == "no")
                var frames = SSEFrames(iterator: response.body.makeAsyncIterator())

                let replay = try await frames.next(4)
                let greeting = GoJSON.quote(EchoAgentOptions.defaultGreeting, escapeHTML: true)
                #expect(replay == [
                    "event: message_update\ndata: {\"id\":0,\"role\":\"agent\",\"message\":\(greeting),\"time\":\"\(times[0])\"}\n\n",
                    "event: message_update\ndata: {\"id\":1,\"role\":\"user\",\"message\":\"one\",\"time\":\"\(times[1])\"}\n\n",
                    "event: message_update\ndata: {\"id\":2,\"role\":\"agent\",\"message\":\"Echo: one\",\"time\":\"\(times[2])\"}\n\n",
                    "event: status_change\ndata: {\"status\":\"stable\",\"agent_type\":\"custom\"}\n\n",
                ])

                try await agent.client.send(content: "<two>")
                let live = try await frames.next(4)
                #expect(live.map(SSEFrames.eventName) == ["status_change", "message_update", "message_update", "status_change"])
                #expect(live[0].contains(#""status":"running""#))
                // The SSE encoder escapes HTML like Go's json.Encoder.
                #expect(live[1].contains(#""id":3,"role":"user","message":"\u003ctwo\u003e""#))
                #expect(live[2].contains(#""id":4,"role":"agent","message":"Echo: \u003ctwo\u003e""#))
                #expect(live[3].contains(#""status":"stable""#))
                #expect(await agent.state.subscriberCount == 1)
            }
            // The response above was dropped mid-stream: the server notices and lets go.
            try await eventually("the subscriber to go away") { await agent.state.subscriberCount == 0 }
        }
    }

    @Test func gracefulShutdownEndsOpenEventStreams() async throws {
        let agent = EchoAgent(options: EchoAgentOptions(logger: quietLogger))
        let state = agent.makeState()
        let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
        let app = agent.buildApplication(host: "127.0.0.1", port: 0, state: state) { portInput.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let port = try await firstPort(ports)
        try await within(.seconds(20), "the stream to end and the server to stop") {
            let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/events")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            var frames = SSEFrames(iterator: response.body.makeAsyncIterator())
            #expect(try await frames.next(2).count == 2)
            await group.triggerGracefulShutdown()
            #expect(try await frames.next(1).isEmpty, "no more events, and the stream ends")
            try await running.value
        }
        #expect(await state.subscriberCount == 0)
    }
}

/// AgentAPIClient against servers that misbehave (agentapi.md §3).
@Suite(.timeLimit(.minutes(1))) struct AgentAPIClientTests {
    @Test func closedPortFailsFastWithAGoStyleError() async throws {
        let port = try await withServer({ fakeAgent(onListening: $0) { _ in } }) { $0 }
        let client = AgentAPIClient(baseURL: "http://127.0.0.1:\(port)", requestTimeout: .seconds(20))
        let start = ContinuousClock.now
        let error = await #expect(throws: AgentAPIError.self) { try await client.status() }
        #expect(ContinuousClock.now - start < .seconds(10))  // far below the 20 s timeout / 50 s answer it must not wait for; 3 s failed under load
        #expect(error?.description == "failed to get status: Get \"http://127.0.0.1:\(port)/status\": dial tcp 127.0.0.1:\(port): connect: connection refused")
    }

    @Test func silentServerTimesOutWithinTheRequestTimeout() async throws {
        try await withServer({ fakeAgent(onListening: $0) { router in
            router.get("/status") { _, _ -> Response in
                try await Task.sleep(for: .seconds(50))
                return Response(status: .ok)
            }
        } }) { port in
            let client = AgentAPIClient(baseURL: "http://127.0.0.1:\(port)", requestTimeout: .milliseconds(400))
            let start = ContinuousClock.now
            let error = await #expect(throws: AgentAPIError.self) { try await client.status() }
            #expect(ContinuousClock.now - start < .seconds(10))  // far below the 20 s timeout / 50 s answer it must not wait for; 3 s failed under load
            #expect(error?.description == "failed to get status: Get \"http://127.0.0.1:\(port)/status\": context deadline exceeded (no complete answer within 400ms)")
        }
    }

    @Test func headersWithoutTheRestOfTheBodyAlsoTimeOut() async throws {
        try await withServer({ fakeAgent(onListening: $0) { router in
            router.get("/messages") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"messages":["#))
                    try await Task.sleep(for: .seconds(50))
                    try await writer.finish(nil)
                })
            }
        } }) { port in
            let client = AgentAPIClient(baseURL: "http://127.0.0.1:\(port)/", requestTimeout: .milliseconds(400))
            let start = ContinuousClock.now
            let error = await #expect(throws: AgentAPIError.self) { try await client.messages() }
            #expect(ContinuousClock.now - start < .seconds(10))  // far below the 20 s timeout / 50 s answer it must not wait for; 3 s failed under load
            #expect(error?.description.contains("context deadline exceeded") == true)
        }
    }

    @Test(arguments: [
        ("http://localhost:3284/chat", "localhost:3284"), ("http://agent/", "agent:80"), ("https://agent", "agent:443"),
        ("http://[::1]:5/x", "[::1]:5"), ("http://[::1]/", "[::1]:80"), ("http://user@h:1", "h:1"),
    ])
    func errorsNameTheDialAddressLikeGo(url: String, address: String) {
        #expect(AgentAPIClient.dialAddress(url) == address)
    }

    @Test func aBaseURLWithoutHTTPSchemeFailsWithoutARequest() async {
        let error = await #expect(throws: AgentAPIError.self) { try await AgentAPIClient(baseURL: "localhost:3284").status() }
        #expect(error?.description == #"failed to get status: invalid agentapi URL "localhost:3284": want http:// or https://"#)
    }

    @Test func sendWritesExactlyWhatGoJSONMarshalWrites() async throws {
        let seen = Recorder<(String?, String)>()
        try await withServer({ fakeAgent(onListening: $0) { router in
            router.post("/message") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                seen.append((request.headers[.contentType], String(buffer: body)))
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
            }
        } }) { port in
            try await AgentAPIClient(baseURL: "http://127.0.0.1:\(port)").send(content: "Fix \"it\" <now> & then\n\u{2028}")
        }
        #expect(seen.values.first?.0 == "application/json")
        #expect(seen.values.first?.1 == #"{"content":"Fix \"it\" \u003cnow\u003e \u0026 then\n\u2028","type":"user"}"#)
    }
}

/// How answers are decoded: the Go SDK's rules (agentapi.md §3).
struct AgentDecodingCase: Sendable, CustomTestStringConvertible {
    var name: String
    var status: Int = 200
    var contentType: String = "application/json"
    var body: String
    var expected: Result<[AgentMessage], AgentAPIError>
    var testDescription: String { name }
}

private let decodingCases: [AgentDecodingCase] = [
    .init(name: "schema, unknown keys and any role kept", body: #"{"$schema":"http://x/schemas/MessagesResponseBody.json","messages":[{"id":7,"content":"hi","role":"tool","time":"2025-09-25T10:42:48.123456789+02:00","extra":[1]}]}"#,
          expected: .success([AgentMessage(id: 7, content: "hi", role: "tool", time: "2025-09-25T10:42:48.123456789+02:00")])),
    .init(name: "missing keys are Go zero values", body: #"{"messages":[{}, null]}"#,
          expected: .success(Array(repeating: AgentMessage(id: 0, content: "", role: "", time: "0001-01-01T00:00:00Z"), count: 2))),
    .init(name: "no messages", body: "{}", expected: .success([])),
    .init(name: "string id", body: #"{"messages":[{"id":"1"}]}"#,
          expected: .failure(AgentAPIError("failed to get messages: json: cannot unmarshal string into Go struct field MessagesResponseBody.messages.id of type int64"))),
    .init(name: "fractional id", body: #"{"messages":[{"id":1.5}]}"#,
          expected: .failure(AgentAPIError("failed to get messages: json: cannot unmarshal number 1.5 into Go struct field MessagesResponseBody.messages.id of type int64"))),
    .init(name: "bad time", body: #"{"messages":[{"id":1,"time":"yesterday"}]}"#,
          expected: .failure(AgentAPIError(#"failed to get messages: parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006""#))),
    .init(name: "top-level array", body: "[]",
          expected: .failure(AgentAPIError("failed to get messages: json: cannot unmarshal array into Go value of type MessagesResponseBody"))),
    .init(name: "broken JSON", body: "{", expected: .failure(AgentAPIError("failed to get messages: unexpected end of JSON input"))),
    .init(name: "200 that is not JSON", contentType: "text/plain; charset=utf-8", body: "stable\n",
          expected: .failure(AgentAPIError(#"failed to get messages: HTTP 200 OK with Content-Type "text/plain; charset=utf-8", not JSON: stable"#))),
    .init(name: "500 boom", status: 500, contentType: "text/plain", body: "boom",
          expected: .failure(AgentAPIError("failed to get messages: HTTP 500 Internal Server Error: boom"))),
    .init(name: "201 JSON", status: 201, body: #"{"messages":[]}"#,
          expected: .failure(AgentAPIError(#"failed to get messages: HTTP 201 Created: {"messages":[]}"#))),
]

@Test(.timeLimit(.minutes(1)), arguments: decodingCases)
func clientDecodesMessagesLikeTheGoSDK(_ testCase: AgentDecodingCase) async throws {
    try await withServer({ fakeAgent(onListening: $0) { router in
        router.get("/messages") { _, _ -> Response in
            Response(status: .init(code: testCase.status), headers: [.contentType: testCase.contentType],
                     body: .init(byteBuffer: ByteBuffer(string: testCase.body)))
        }
    } }) { port throws in
        let client = AgentAPIClient(baseURL: "http://127.0.0.1:\(port)")
        switch testCase.expected {
        case .success(let messages):
            #expect(try await client.messages() == messages)
        case .failure(let expected):
            let error = await #expect(throws: AgentAPIError.self) { try await client.messages() }
            #expect(error?.description == expected.description)
        }
    }
}

@Test(.timeLimit(.minutes(1))) func clientReadsAnyStatusStringAndZeroValueForMissing() async throws {
    let bodies = Mutex([#"{"status":"running","agent_type":"claude","$schema":"x"}"#, "{}", #"{"status":5}"#])
    try await withServer({ fakeAgent(onListening: $0) { router in
        router.get("/status") { _, _ -> Response in
            let body = bodies.withLock { $0.removeFirst() }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    } }) { port throws in
        let client = AgentAPIClient(baseURL: "http://127.0.0.1:\(port)")
        #expect(try await client.status() == "running")
        #expect(try await client.status() == "")
        let error = await #expect(throws: AgentAPIError.self) { try await client.status() }
        #expect(error?.description == "failed to get status: json: cannot unmarshal number into Go struct field StatusResponseBody.status of type string")
    }
}

/// `PATCH /api/v2/workspaceagents/me/app-status` (tasks-api.md §8.1).
@Suite(.timeLimit(.minutes(1))) struct AppStatusReporterTests {
    @Test func needsAllThreeEnvironmentVariables() {
        let full = ["CODER_AGENT_URL": "http://127.0.0.1:1", "CODER_AGENT_TOKEN": "t", "CODER_MCP_APP_STATUS_SLUG": "echo"]
        #expect(CoderAppStatusReporter(environment: full, logger: quietLogger) != nil)
        for key in full.keys {
            #expect(CoderAppStatusReporter(environment: full.filter { $0.key != key }, logger: quietLogger) == nil)
        }
        #expect(EchoAgentOptions.fromEnvironment(full.merging(["TASKBOX_PARAM_AI_PROMPT": "go"]) { $1 }).initialPrompt == "go")
        #expect(EchoAgentOptions.fromEnvironment(["TASKBOX_PARAM_AI_PROMPT": ""]).initialPrompt == nil)
    }

    @Test func patchesWithTheAgentTokenAndGoJSONBody() async throws {
        let seen = Recorder<FakeTaskbox.Report>()
        try await withServer({ FakeTaskbox.application(seen, onListening: $0) }) { port in
            let environment = ["CODER_AGENT_URL": "http://127.0.0.1:\(port)/", "CODER_AGENT_TOKEN": "agent-token",
                               "CODER_MCP_APP_STATUS_SLUG": "echo"]
            let reporter = try #require(CoderAppStatusReporter(environment: environment, logger: quietLogger))
            await reporter.report(.working("Echoing: <b> & \"c\""))
        }
        let report = try #require(seen.values.first)
        #expect(report.method == "PATCH")
        #expect(report.token == "agent-token")
        #expect(report.contentType == "application/json")
        #expect(report.body == #"{"app_slug":"echo","state":"working","message":"Echoing: \u003cb\u003e \u0026 \"c\""}"#)
    }

    @Test func failuresAreSwallowedQuickly() async throws {
        let port = try await withServer({ fakeAgent(onListening: $0) { _ in } }) { $0 }
        let reporter = CoderAppStatusReporter(agentURL: "http://127.0.0.1:\(port)", token: "t", appSlug: "echo", logger: quietLogger)
        let start = ContinuousClock.now
        await reporter.report(.idle("x"))
        #expect(ContinuousClock.now - start < .seconds(10))  // far below the 20 s timeout / 50 s answer it must not wait for; 3 s failed under load
    }

    @Test func adaptersRetryAReportTaskboxCouldNotTake() async throws {
        let calls = Mutex(0)
        try await withServer({ fakeAgent(onListening: $0) { router in
            router.patch("/api/v2/workspaceagents/me/app-status") { _, _ -> Response in
                let n = calls.withLock { $0 += 1; return $0 }
                return Response(status: n < 3 ? .serviceUnavailable : .ok)
            }
        } }) { port in
            let url = "http://127.0.0.1:\(port)"
            await CoderAppStatusReporter(agentURL: url, token: "t", appSlug: "a", logger: quietLogger, attempts: 3, retryDelay: .milliseconds(10))
                .report(.idle("x"))
            #expect(calls.withLock { $0 } == 3)
            await CoderAppStatusReporter(agentURL: url, token: "t", appSlug: "a", logger: quietLogger, attempts: 3, retryDelay: .milliseconds(10))
                .report(.idle("y"))
            #expect(calls.withLock { $0 } == 4, "a delivered report is not sent again")
        }
    }

    /// Proven by what each gives up with (the 1 s request timeout, not the 10 s default nor a
    /// hang), not by a wall-clock upper bound: the whole suite runs in parallel on two cores, and
    /// a test may wait many seconds for a thread.
    @Test func aServerThatNeverAnswersIsGivenUpOnAtTheRequestTimeout() async throws {
        let silent = try SilentListener()
        let recorded = RecordingLogHandler.Lines()
        let reporter = CoderAppStatusReporter(
            agentURL: "http://127.0.0.1:\(silent.port)", token: "t", appSlug: "echo",
            logger: Logger(label: "reporter") { _ in RecordingLogHandler(lines: recorded) },
            requestTimeout: .seconds(1))
        var start = ContinuousClock.now
        await reporter.report(.idle("x"))
        var elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(900), "\(elapsed)")
        let logged = recorded.all.joined(separator: "\n")
        #expect(logged.contains("app status report failed")
                && logged.contains("context deadline exceeded (no complete answer within 1s)"), "\(logged)")

        let client = AgentAPIClient(baseURL: "http://127.0.0.1:\(silent.port)", requestTimeout: .seconds(1))
        start = ContinuousClock.now
        let error = await #expect(throws: AgentAPIError.self) { try await client.status() }
        elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(900), "\(elapsed)")
        #expect(error?.description.contains("context deadline exceeded (no complete answer within 1s)") == true,
                "\(String(describing: error))")
    }

    @Test func longMessagesAreCutToCodersLimit() {
        let message = CoderAppStatusReporter.truncated(String(repeating: "é", count: 300))
        #expect(message.utf8.count <= 160)
        #expect(message.hasSuffix("…"))
        #expect(CoderAppStatusReporter.truncated("short") == "short")
    }
}

/// `taskbox agentapi-echo` as a process, reporting to a fake taskbox.
@Test(.timeLimit(.minutes(1))) func agentapiEchoCommandServesReportsAndStopsOnSIGTERM() async throws {
    let seen = Recorder<FakeTaskbox.Report>()
    try await withServer({ FakeTaskbox.application(seen, onListening: $0) }) { taskboxPort in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agentapi-echo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try taskboxBinary())
        process.arguments = ["agentapi-echo", "--port", "0", "--reply-delay-ms", "50"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CODER_AGENT_URL": "http://127.0.0.1:\(taskboxPort)", "CODER_AGENT_TOKEN": "agent-token",
            "CODER_MCP_APP_STATUS_SLUG": "echo", "TASKBOX_PARAM_AI_PROMPT": "hello from the task",
        ]) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        var line = ""
        try await eventually("the ready line", within: .seconds(20)) {
            line = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            return line.hasSuffix("\n") || !process.isRunning
        }
        let prefix = "agentapi-echo listening on http://127.0.0.1:"
        #expect(line.hasPrefix(prefix) && line.filter { $0 == "\n" }.count == 1)
        let url = String(line.dropFirst("agentapi-echo listening on ".count).dropLast())
        #expect(!url.hasSuffix(":0"))

        // Started with an agent token, the agent answers only requests that carry it.
        await #expect(throws: AgentAPIError.self) { try await AgentAPIClient(baseURL: url).messages() }
        let client = AgentAPIClient(baseURL: url, token: "agent-token")
        try await eventually("the prompt's echo") { try await client.messages().count == 3 }
        #expect(try await client.messages().map(\.content).suffix(2) == ["hello from the task", "Echo: hello from the task"])
        try await eventually("both reports") { seen.values.count == 2 }
        #expect(seen.values.map(\.token) == ["agent-token", "agent-token"])
        #expect(seen.values.map { stringField($0.body, "state") } == ["working", "idle"])

        kill(process.processIdentifier, SIGTERM)
        try await eventually("the process to exit", within: .seconds(10)) { !process.isRunning }
        #expect(process.terminationStatus == 0)
    }
}

/// Go's JSON as the client and the double read and write it.
@Suite struct GoJSONTests {
    @Test(arguments: [
        ("", "unexpected end of JSON input"),
        ("hello", "invalid character 'h' looking for beginning of value"),
        (#"{"a" 1}"#, "invalid character '1' after object key"),
        (#"{"a":1 "b":2}"#, "invalid character '\"' after object key:value pair"),
        ("[1 2]", "invalid character '2' after array element"),
        ("{1:2}", "invalid character '1' looking for beginning of object key string"),
        ("01", "invalid character '1' after top-level value"),
        ("-", "invalid character ' ' in numeric literal"),
        ("1.", "invalid character ' ' after decimal point in numeric literal"),
        ("1e+", "invalid character ' ' in exponent of numeric literal"),
        ("\"a\tb\"", "invalid character '\\t' in string literal"),
        (#""\q""#, "invalid character 'q' in string escape code"),
        (#""\u12g4""#, "invalid character 'g' in \\u hexadecimal character escape"),
        ("nul", "invalid character ' ' in literal null (expecting 'l')"),
        ("fals3", "invalid character '3' in literal false (expecting 'e')"),
        ("'x'", "invalid character '\\'' looking for beginning of value"),
    ])
    func syntaxErrorsAreWordedLikeGo(input: String, message: String) {
        #expect(throws: GoJSONSyntaxError(description: message)) { try GoJSON.parse(input) }
    }

    @Test func parsedValuesKeepOrderLiteralsAndDuplicates() throws {
        let value = try GoJSON.parse(#" {"a":[1,-2.50e3,true,false,null,"\u00e9\ud83d\ude00\ud800\n/"],"A":{"b":"c"}} "#)
        #expect(value.encoded(escapeHTML: false) == "{\"a\":[1,-2.50e3,true,false,null,\"é😀\u{FFFD}\\n/\"],\"A\":{\"b\":\"c\"}}")
        #expect(value.asGoAny.encoded(escapeHTML: false) == "{\"A\":{\"b\":\"c\"},\"a\":[1,-2500,true,false,null,\"é😀\u{FFFD}\\n/\"]}")
        #expect(value["a"]?.kindName == "array")
        #expect(value["B"] == nil)
    }

    @Test func nestingIsLimitedLikeGo() throws {
        let deepest = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(try GoJSON.parse(deepest).kindName == "array")
        #expect(throws: GoJSONSyntaxError(description: "invalid character '[' exceeded max depth")) {
            try GoJSON.parse("[" + deepest + "]")
        }
    }

    @Test(arguments: [
        (1.0, "1"), (-0.0, "-0"), (1.5e-7, "1.5e-7"), (1e-10, "1e-10"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (0.000001, "0.000001"), (123.456, "123.456"), (Double.leastNonzeroMagnitude, "5e-324"), (-2500.0, "-2500"), (1.2345678901234568e22, "1.2345678901234568e+22"),
    ])
    func floatsAreRenderedLikeGo(value: Double, text: String) {
        #expect(GoJSON.formatFloat(value) == text)
    }

    @Test func stringsAreEscapedLikeGo() {
        let text = "a\"b\\<>&\u{2028}\u{1}\u{8}\u{c}\té"
        #expect(GoJSON.quote(text, escapeHTML: true) == #""a\"b\\\u003c\u003e\u0026\u2028\u0001\b\f\té""#)
        #expect(GoJSON.quote(text, escapeHTML: false) == #""a\"b\\<>&\u2028\u0001\b\f\té""#)
    }
}

// MARK: - Harness

private let quietLogger: Logger = {
    var logger = Logger(label: "agentapi-tests")
    logger.logLevel = .critical
    return logger
}()

private struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Runs `operation`, failing once `limit` has passed.
private func within<T: Sendable>(
    _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() ?? nil else { throw TimedOut(description: "\(what): no result within \(limit)") }
        return value
    }
}

/// Polls `condition` until it holds, failing once `limit` has passed.
private func eventually(
    _ what: String, within limit: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(description: "waited \(limit) for \(what)")
}

private func firstPort(_ ports: AsyncStream<Int>) async throws -> Int {
    try await within(.seconds(10), "the server to listen") {
        for await port in ports { return port }
        throw TimedOut(description: "the server stopped before listening")
    }
}

/// Runs the application built by `build` on a loopback port while `body` runs, then
/// cancels it, which also ends any request still in flight.
private func withServer<App: ApplicationProtocol, T: Sendable>(
    _ build: (@escaping @Sendable (Int) async -> Void) -> App, _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
    let app = build { portInput.yield($0) }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        return try await body(try await firstPort(ports))
    }
}

/// The echo agent under test, with its state for white-box checks.
private struct RunningEchoAgent: Sendable {
    let port: Int
    let state: EchoAgentState

    var url: String { "http://127.0.0.1:\(port)" }
    var client: AgentAPIClient { AgentAPIClient(baseURL: url, requestTimeout: .seconds(10)) }

    func schema(_ name: String) -> String { "http://127.0.0.1:\(port)/schemas/\(name).json" }

    func problem(_ rest: String) -> String { "{\"$schema\":\"\(schema("ErrorModel"))\",\(rest)}\n" }
}

private func withEchoAgent<T: Sendable>(
    replyDelay: Duration = .milliseconds(100), initialPrompt: String? = nil, allowedHosts: [String] = EchoAgentOptions.defaultAllowedHosts,
    reporter: (any AppStatusReporter)? = nil, _ body: (RunningEchoAgent) async throws -> T
) async throws -> T {
    let agent = EchoAgent(options: EchoAgentOptions(
        replyDelay: replyDelay, initialPrompt: initialPrompt, allowedHosts: allowedHosts, reporter: reporter, logger: quietLogger))
    let state = agent.makeState()
    return try await withServer({ agent.buildApplication(host: "127.0.0.1", port: 0, state: state, onListening: $0) }) { port in
        try await body(RunningEchoAgent(port: port, state: state))
    }
}

/// A stand-in agentapi whose routes a test writes.
private func fakeAgent(
    onListening: @escaping @Sendable (Int) async -> Void, _ routes: (Router<BasicRequestContext>) -> Void
) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    routes(router)
    return Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: quietLogger)
}

/// The app-status endpoint of taskbox, recording what it is sent.
private enum FakeTaskbox {
    struct Report: Sendable {
        var method: String
        var token: String?
        var contentType: String?
        var body: String
    }

    static func application(_ seen: Recorder<Report>, onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        fakeAgent(onListening: onListening) { router in
            router.patch("/api/v2/workspaceagents/me/app-status") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                seen.append(Report(
                    method: request.method.rawValue, token: request.headers[HTTPField.Name("Coder-Session-Token")!],
                    contentType: request.headers[.contentType], body: String(buffer: body)))
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "null\n")))
            }
        }
    }
}

private final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

private final class RecordingReporter: AppStatusReporter {
    private let recorder = Recorder<AppStatusUpdate>()
    func report(_ update: AppStatusUpdate) async { recorder.append(update) }
    var updates: [AppStatusUpdate] { recorder.values }
}

private struct RawReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
}

/// One request without the agentapi client's rules in between.
private func raw(
    _ method: HTTPMethod, _ url: String, body: String? = nil, headers: [(String, String)] = []
) async throws -> RawReply {
    try await within(.seconds(10), "\(method) \(url)") {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return RawReply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}

/// Splits an SSE body into frames (each ends with a blank line).
private struct SSEFrames {
    var iterator: HTTPClientResponse.Body.AsyncIterator
    var buffer = ""

    /// Up to `count` frames; fewer if the stream ends.
    mutating func next(_ count: Int) async throws -> [String] {
        var frames: [String] = []
        while frames.count < count {
            if let end = buffer.range(of: "\n\n") {
                frames.append(String(buffer[..<end.upperBound]))
                buffer.removeSubrange(..<end.upperBound)
                continue
            }
            guard let chunk = try await iterator.next() else { break }
            buffer += String(buffer: chunk)
        }
        return frames
    }

    static func eventName(_ frame: String) -> String {
        String(frame.split(separator: "\n").first?.dropFirst("event: ".count) ?? "")
    }
}

private func stringField(_ json: String, _ key: String) -> String? {
    guard case .string(let value)? = (try? GoJSON.parse(json))?[key] else { return nil }
    return value
}

/// The `taskbox` executable: `TASKBOX_BIN`, else the one built next to the test bundle.
private func taskboxBinary() throws -> String {
    if let path = ProcessInfo.processInfo.environment["TASKBOX_BIN"] { return path }
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidates = [bundleDirectory.appendingPathComponent("taskbox").path]
    var root = URL(fileURLWithPath: #filePath)
    while root.path != "/" {
        root.deleteLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/taskbox").path)
    }
    guard let path = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
        throw TimedOut(description: "taskbox binary not found; run swift build first")
    }
    return path
}

// MARK: - agentapi.md §6.4 for every agent taskbox ships

/// The agents that serve agentapi: the echo agent and the Claude Code adapter (agents.md §1).
enum ShippedAgent: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case echo, claude
    var testDescription: String { rawValue }
}

private struct AgentUnderTest: Sendable {
    var url: String
    var agentType: String
    var transport: String
    var greeting: String
    /// What the agent answers to `hello`.
    var helloReply: String
}

/// Runs `body` against a fresh agent of `kind` on a loopback port. The Claude adapter drives
/// the real Claude Code CLI against the scripted model, in a temporary working directory.
private func withShippedAgent(_ kind: ShippedAgent, _ body: (AgentUnderTest) async throws -> Void) async throws {
    switch kind {
    case .echo:
        try await withEchoAgent(replyDelay: .seconds(1)) { agent in
            try await body(AgentUnderTest(
                url: agent.url, agentType: "custom", transport: "pty", greeting: EchoAgentOptions.defaultGreeting, helloReply: "Echo: hello"))
        }
    case .claude:
        let binary = try ClaudeBinary.require()
        let directory = TestDirectory()
        let model = ScriptedModel()
        try await withServer({ model.application(onListening: $0) }) { modelPort in
            let environment = ProcessInfo.processInfo.environment.merging(
                ClaudeBinary.environment(modelPort: modelPort, home: directory.url.appendingPathComponent("home"))) { $1 }
            let work = directory.url.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let adapter = try AgentAdapter.claude(
                options: AgentAdapterOptions(port: 0, directory: work, initialPrompt: nil, reporter: nil, environment: environment, logger: quietLogger),
                binary: binary, arguments: [])
            try await withServer({ adapter.buildApplication(onListening: $0) }) { port in
                try await body(AgentUnderTest(
                    url: "http://127.0.0.1:\(port)", agentType: "claude", transport: "stream-json",
                    greeting: "Claude Code is ready. Send a message to start.", helloReply: "Reply to: hello"))
            }
        }
    }
}

extension AgentProcessTests {
@Test(.timeLimit(.minutes(2)), arguments: ShippedAgent.allCases)
func shippedAgentPassesTheAgentapiAcceptanceChecks(_ kind: ShippedAgent) async throws {
    guard kind == .echo || ClaudeBinary.available else { return }
    try await withShippedAgent(kind) { agent in
        let client = AgentAPIClient(baseURL: agent.url, requestTimeout: .seconds(10))
        func problem(_ reply: RawReply) -> String? {
            guard case .array(let errors)? = (try? GoJSON.parse(reply.body))?["errors"] else { return nil }
            return errors.first?["message"]?.stringValue
        }

        // 1. Fresh start: stable, message 0 is the agent's greeting.
        try await eventually("stable") { try await client.status() == "stable" }
        #expect(try await client.messages().map(\.content) == [agent.greeting])
        let status = try await raw(.GET, agent.url + "/status")
        #expect(stringField(status.body, "agent_type") == agent.agentType)
        #expect(stringField(status.body, "transport") == agent.transport)

        // 7. A foreign Host header is refused before anything else.
        let evil = try await raw(.GET, agent.url + "/status", headers: [("Host", "evil.example")])
        #expect(evil.status == 400)
        #expect(evil.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")

        // 4. Empty and invalid sends.
        let empty = try await raw(.POST, agent.url + "/message", body: #"{"content":"  ","type":"user"}"#)
        #expect(empty.status == 500)
        #expect(problem(empty) == "failed to send message: message must not be empty")
        #expect(try await raw(.POST, agent.url + "/message", body: #"{"content":"x"}"#).status == 422)
        #expect(try await raw(.POST, agent.url + "/message", body: #"{"content":"x","type":"foo"}"#).status == 422)

        // 5. Raw input is accepted and leaves no trace.
        #expect(try await raw(.POST, agent.url + "/message", body: #"{"content":"x","type":"raw"}"#).status == 200)
        #expect(try await client.messages().count == 1)

        // 2. and 6. A send runs, then settles; SSE replays, then follows live.
        try await within(.seconds(60), "the first exchange over SSE") {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: agent.url + "/events"), timeout: .seconds(60))
            var frames = SSEFrames(iterator: response.body.makeAsyncIterator())
            #expect(try await frames.next(2).map(SSEFrames.eventName) == ["message_update", "status_change"])
            try await client.send(content: "hello")
            #expect(try await client.status() == "running")
            var live: [String] = []
            while !(live.last.map { SSEFrames.eventName($0) == "status_change" && $0.contains("stable") } ?? false) {
                let next = try await frames.next(1)
                guard let frame = next.first else { break }
                live.append(frame)
            }
            #expect(live.first.map(SSEFrames.eventName) == "status_change")
            #expect(live.first?.contains(#""status":"running""#) == true)
            #expect(live.dropFirst().first?.contains(#""id":1,"role":"user","message":"hello""#) == true)
            #expect(live.dropFirst(2).dropLast().allSatisfy { $0.contains(#""id":2,"role":"agent""#) })
            #expect(live.count >= 4)
        }
        let messages = try await client.messages()
        #expect(messages.map(\.role) == ["agent", "user", "agent"])
        #expect(messages.map(\.id) == [0, 1, 2])
        #expect(messages.last?.content == agent.helloReply)

        // 3. A send while running is refused; an interrupt (or the echo) ends the turn.
        try await client.send(content: "Take it SLOW")
        let second = try await raw(.POST, agent.url + "/message", body: #"{"content":"second","type":"user"}"#)
        #expect(second.status == 500)
        #expect(problem(second) == "failed to send message: message can only be sent when the agent is waiting for user input")
        try await client.send(content: "\u{1b}", type: "raw")
        try await eventually("the end of the slow turn", within: .seconds(30)) { try await client.status() == "stable" }
        #expect(try await client.messages().map(\.role) == ["agent", "user", "agent", "user", "agent"])
    }
}
}

/// Keeps every log line (message and metadata) for a test to read.
struct RecordingLogHandler: LogHandler {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.level) \(event.message) \(fields)")
    }
}
