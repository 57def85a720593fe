import AsyncHTTPClient
import Foundation
import NIOCore

/// An app's healthcheck: an HTTP GET at its interval; `threshold` consecutive failures make
/// it unhealthy, one success healthy (taskbox.md §5). As in Coder, any answer below 500 counts.
struct Healthcheck: Sendable {
    var url: String
    var interval: Duration
    var threshold: Int
    /// The app's agent token, sent as the agent calls send it (the built-in agents require it).
    var token: String? = nil

    /// One probe, bounded as a whole; a refused connect is a failure at once (no retries), a
    /// redirect an answer.
    static func probe(_ url: String, token: String?, timeout: Duration) async -> Bool {
        let transport = AgentHTTPTransport(httpClient: nil, connectTimeout: min(timeout, .seconds(1)), requestTimeout: timeout)
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        guard let reply = try? await transport.exchange(request) else { return false }
        return reply.status.code < 500
    }

    /// Runs until cancelled, reporting each change of health.
    func run(report: @Sendable (AppHealth) async -> Void) async {
        var failures = 0
        var current = AppHealth.initializing
        while !Task.isCancelled {
            let healthy = await Self.probe(url, token: token, timeout: min(interval, .seconds(5)))
            if healthy {
                failures = 0
                if current != .healthy { current = .healthy; await report(current) }
            } else {
                failures += 1
                if failures >= threshold && current != .unhealthy { current = .unhealthy; await report(current) }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
