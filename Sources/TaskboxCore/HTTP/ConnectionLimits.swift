import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// How long and how many connections `serve` keeps (issue 13 item 7): a request header must
/// arrive within `readHeaderTimeout` of the connection opening; a connection that reads no
/// request part for `idleTimeout` (keep-alive between requests, a stalled header or body) is
/// closed; past `maxConnections` open connections no new one is accepted until one closes.
public struct ConnectionLimits: Sendable {
    public var readHeaderTimeout: Duration
    public var idleTimeout: Duration
    public var maxConnections: Int

    public init(readHeaderTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxConnections: Int? = nil) {
        self.readHeaderTimeout = readHeaderTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections ?? Self.defaultMaxConnections()
    }

    /// Leaves room under the descriptor limit for the database, app log files and agent calls.
    static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let soft = limit.rlim_cur == rlim_t.max ? UInt64(1 << 20) : UInt64(limit.rlim_cur)
        return Int(max(64, min(10_000, Int64(soft) - 256)))
    }

    /// At start: the soft descriptor limit goes up to the hard one (often 1024 of 1M+), so
    /// idle sockets cannot starve the server. Returns the new soft limit.
    @discardableResult
    public static func raiseFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }

    var http1: HTTP1Channel.Configuration {
        let timeout = readHeaderTimeout
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [ReadHeaderTimeoutHandler(timeout: timeout)],
            idleTimeout: AgentHTTPTransport.timeAmount(idleTimeout))
    }
}

/// Counts open connections; Hummingbird stops accepting while the limit is reached. The moment
/// it is reached is logged once, as is the moment connections are accepted again.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let maximum: Int
    let logger: Logger
    var open = 0

    mutating func connectionOpened() {
        open += 1
        if open == maximum {
            logger.warning(
                "connection limit reached: new connections wait until one closes",
                metadata: ["max_connections": .stringConvertible(maximum)])
        }
    }

    mutating func connectionClosed() {
        if open == maximum {
            logger.info("accepting connections again", metadata: ["max_connections": .stringConvertible(maximum)])
        }
        open -= 1
    }

    func isAcceptingNewConnections() -> Bool { open < maximum }
}

/// Closes a connection whose first request head has not arrived in time (a client that
/// connects and sends nothing, or half a header); removes itself once it has.
final class ReadHeaderTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let timeout: Duration
    private var timer: Scheduled<Void>?

    init(timeout: Duration) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: AgentHTTPTransport.timeAmount(timeout)) {
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data), timer != nil {
            timer?.cancel()
            timer = nil
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
