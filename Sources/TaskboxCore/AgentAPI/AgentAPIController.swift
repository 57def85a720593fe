import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The agentapi HTTP surface (agentapi.md §2, §6.2), shared by the echo agent and the
/// built-in adapters (agents.md §1): it reads the conversation and hands messages to `input`.
struct AgentAPIController {
    let input: any AgentAPIInput
    var conversation: AgentConversation { input.conversation }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/status", use: status)
        router.get("/messages", use: messages)
        router.post("/message", use: postMessage)
        router.get("/events", use: events)
    }

    static let paths: Set<String> = ["/status", "/messages", "/message", "/events"]

    @Sendable func status(_ request: Request, context: BasicRequestContext) async -> Response {
        let (status, extras) = await (conversation.status, conversation.statusExtras)
        return HumaResponse.json([
            (key: "status", value: .string(status.rawValue)),
            (key: "agent_type", value: .string(conversation.agentType)),
            (key: "transport", value: .string(conversation.transport)),
        ] + extras, schema: "StatusResponseBody", request: request)
    }

    @Sendable func messages(_ request: Request, context: BasicRequestContext) async -> Response {
        let messages = await conversation.messages.map { message in
            GoJSON.object([
                (key: "id", value: .int(message.id)),
                (key: "content", value: .string(message.content)),
                (key: "role", value: .string(message.role)),
                (key: "time", value: .string(message.time)),
            ])
        }
        return HumaResponse.json([(key: "messages", value: .array(messages))], schema: "MessagesResponseBody", request: request)
    }

    /// agentapi.md §2.4: huma validates the body, then `user` goes through the
    /// conversation's checks and `raw` is accepted without a trace in the history.
    @Sendable func postMessage(_ request: Request, context: BasicRequestContext) async throws -> Response {
        do {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: AgentMessageRequest.maxBodyBytes)
            } catch is NIOTooManyBytesError {
                throw AgentMessageRequest.bodyTooLarge
            }
            let message = try AgentMessageRequest.decode(
                Array(body.readableBytesView), contentType: request.headers[.contentType])
            if message.type == "user" {
                do {
                    try await input.userMessage(message.content)
                } catch {
                    throw HumaProblem.handlerError(error.reason)
                }
            } else {
                await input.rawMessage(message.content)
            }
            return HumaResponse.json([(key: "ok", value: .bool(true))], schema: "MessageResponseBody", request: request)
        } catch let problem as HumaProblem {
            return HumaResponse.problem(problem, request: request)
        }
    }

    /// `GET /events` (agentapi.md §2.6): the replay, then live events, until the client
    /// goes away, the agent closes the stream, or the server shuts down.
    @Sendable func events(_ request: Request, context: BasicRequestContext) async -> Response {
        let conversation = self.conversation
        let subscription = await conversation.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache, no-store, must-revalidate"
        headers[HTTPField.Name("Pragma")!] = "no-cache"
        headers[.expires] = "0"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        headers[HTTPField.Name("X-Proxy-Buffering")!] = "no"
        headers[.connection] = "keep-alive"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await withGracefulShutdownHandler {
                        for await event in subscription.events {
                            try await writer.write(ByteBuffer(string: Self.frame(event, agentType: conversation.agentType)))
                        }
                    } onGracefulShutdown: {
                        subscription.input.finish()
                    }
                }
            } catch {
                // The client left or the server is stopping: nothing more to write.
            }
            await conversation.unsubscribe(subscription.id)
            try? await writer.finish(nil)
        })
    }

    /// huma's SSE frame: `event:` and `data:` lines, the data written by a Go
    /// `json.Encoder` (HTML escaped, newline) and a blank line; no `id:` lines.
    static func frame(_ event: AgentConversation.Event, agentType: String) -> String {
        let (name, data): (String, GoJSON) = switch event {
        case .messageUpdate(let message):
            ("message_update", .object([
                (key: "id", value: .int(message.id)),
                (key: "role", value: .string(message.role)),
                (key: "message", value: .string(message.content)),
                (key: "time", value: .string(message.time)),
            ]))
        case .statusChange(let status):
            ("status_change", .object([
                (key: "status", value: .string(status.rawValue)),
                (key: "agent_type", value: .string(agentType)),
            ]))
        }
        return "event: \(name)\ndata: \(data.encoded(escapeHTML: true))\n\n"
    }
}
