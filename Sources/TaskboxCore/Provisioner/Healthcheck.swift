import AsyncHTTPClient
import Foundation
import NIOCore

/// An app's healthcheck: an HTTP GET at its interval; `threshold` consecutive failures make
/// it unhealthy, one success healthy (taskbox.md §5). As in Coder, any answer below 500 counts.
struct Healthcheck: Sendable {
    var url: String
    var interval: Duration
    var threshold: Int

    static func probe(_ url: String, timeout: Duration) async -> Bool {
        do {
            let request = HTTPClientRequest(url: url)
            let seconds = Int64(timeout.components.seconds)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(max(1, seconds)))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return response.status.code < 500
        } catch {
            return false
        }
    }

    /// Runs until cancelled, reporting each change of health.
    func run(report: @Sendable (String) async -> Void) async {
        var failures = 0
        var current = "initializing"
        while !Task.isCancelled {
            let healthy = await Self.probe(url, timeout: min(interval, .seconds(5)))
            if healthy {
                failures = 0
                if current != "healthy" { current = "healthy"; await report(current) }
            } else {
                failures += 1
                if failures >= threshold && current != "unhealthy" { current = "unhealthy"; await report(current) }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
