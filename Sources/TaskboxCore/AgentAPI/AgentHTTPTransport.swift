import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// One complete HTTP exchange with an in-workspace service, bounded in time as a whole.
///
/// AsyncHTTPClient makes the connect timeout a property of the client, and its `.shared`
/// client waits up to 90 s for a connection while retrying refused ones until the request
/// deadline; its deadline also stops at the response head, not the body. Coder's Go SDK
/// has no timeouts of its own (agentapi.md §3), but a hung or absent agent must never hang
/// a taskbox request, so this transport adds both bounds.
struct AgentHTTPTransport: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: ByteBuffer
    }

    enum Failure: Error {
        case timedOut
        case tooLarge
        case transport(any Error)
    }

    /// Agent conversations can be long; anything past this is not an agentapi answer.
    static let maxBodyBytes = 32 * 1024 * 1024

    let httpClient: HTTPClient
    let requestTimeout: Duration

    init(httpClient: HTTPClient?, connectTimeout: Duration, requestTimeout: Duration) {
        self.httpClient = httpClient ?? Self.pooledClient(connectTimeout: connectTimeout)
        self.requestTimeout = requestTimeout
    }

    func exchange(_ request: HTTPClientRequest) async throws(Failure) -> Reply {
        let client = httpClient
        let timeout = requestTimeout
        do {
            return try await withThrowingTaskGroup(of: Reply?.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
                    let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                    return Reply(status: response.status, contentType: response.headers.first(name: "Content-Type") ?? "", body: body)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let reply = try await group.next() ?? nil else { throw Failure.timedOut }
                return reply
            }
        } catch let failure as Failure {
            throw failure
        } catch is NIOTooManyBytesError {
            throw .tooLarge
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw .timedOut
        } catch {
            throw .transport(error)
        }
    }

    /// One client per connect timeout, kept for the life of the process so keep-alive
    /// connections are reused. A refused connection fails the request at once instead of
    /// being retried until the deadline; a redirect is an answer, never followed (an app
    /// must not send taskbox's requests, and the agent token, elsewhere).
    private static let clients = Mutex<[Duration: HTTPClient]>([:])

    static func pooledClient(connectTimeout: Duration) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[connectTimeout] { return client }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: timeAmount(connectTimeout)))
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.httpVersion = .http1Only
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[connectTimeout] = client
            return client
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// `2s`, `300ms`: enough of Go's duration text for error messages.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }
}
