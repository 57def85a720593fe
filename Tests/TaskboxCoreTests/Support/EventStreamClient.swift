import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import TaskboxCore

/// A watch-stream reader on its own connection: collects the events until closed, the server
/// ends the stream, or the test ends (every wait is bounded).
final class EventStreamClient: Sendable {
    struct State {
        var status: Int?
        var events: [ServerSentEvent] = []
        var body = ""
        var ended = false
        var reconnects = 0
    }

    let state = Mutex(State())
    private let reader = Mutex<Task<Void, Never>?>(nil)

    /// One pool for every stream of the tests: streams hold their connection, so allow many. Its
    /// own event loop, so that heavy streams never delay the timers of other tests' clients.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1000
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1), configuration: configuration)
    }()

    /// With `reconnect`, a stream the server ends is opened again with the last event id, as
    /// browsers' EventSource does (then `ended` stays false until `close`).
    static func open(_ url: String, token: String, lastEventID: String? = nil, reconnect: Bool = false) -> EventStreamClient {
        let client = EventStreamClient()
        client.reader.withLock {
            $0 = Task {
                var resumeFrom = lastEventID
                repeat {
                    var request = HTTPClientRequest(url: url)
                    request.headers.add(name: "Coder-Session-Token", value: token)
                    request.headers.add(name: "Accept", value: "text/event-stream")
                    if let resumeFrom { request.headers.add(name: "Last-Event-ID", value: resumeFrom) }
                    do {
                        let response = try await http.execute(request, timeout: .minutes(10))
                        client.state.withLock { $0.status = Int(response.status.code) }
                        var parser = ServerSentEventParser()
                        for try await chunk in response.body {
                            if response.status != .ok {
                                client.state.withLock { $0.body += String(buffer: chunk) }
                                continue
                            }
                            let events = try parser.feed(chunk.readableBytesView)
                            client.state.withLock { $0.events += events }
                        }
                        if response.status != .ok { break }
                    } catch {}
                    resumeFrom = client.state.withLock { $0.events.last?.id } ?? resumeFrom
                    if reconnect { client.state.withLock { $0.reconnects += 1 } }
                } while reconnect && !Task.isCancelled
                client.state.withLock { $0.ended = true }
            }
        }
        return client
    }

    var events: [ServerSentEvent] { state.withLock { $0.events } }
    var ended: Bool { state.withLock { $0.ended } }

    /// Waits (at most `timeout`) until `done` holds for the events so far; returns them.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Duration = .seconds(30), _ done: ([ServerSentEvent]) -> Bool
    ) async -> [ServerSentEvent] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let events = self.events
            if done(events) { return events }
            try? await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("stream never showed \(what); events: \(events.map { "\($0.event) \($0.data.prefix(120))" })")
        return events
    }

    /// Waits for the status line (at most 30 s).
    func waitForStatus() async -> Int? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let status = state.withLock({ $0.status }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func close() {
        reader.withLock { $0?.cancel() }
    }

    deinit { reader.withLock { $0?.cancel() } }
}

extension ServerSentEvent {
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }

    /// `input: …` / `output: …` for a `log` event.
    var logLine: String? {
        guard event == "log" else { return nil }
        return "\(object["type"] ?? ""): \(object["content"] ?? "")"
    }
}

extension Array where Element == ServerSentEvent {
    var logLines: [String] { compactMap(\.logLine) }
    /// The conversation as the latest version of each entry (an entry that grows is sent again).
    var conversation: [String] {
        var byID: [Int: String] = [:]
        for event in self where event.event == "log" {
            if let id = event.object["id"] as? Int { byID[id] = event.logLine }
        }
        return byID.keys.sorted().compactMap { byID[$0] }
    }
    var lastTask: [String: Any]? { last { $0.event == "task" }?.object }
}

/// A task in the idle state (active, current state idle).
func isIdle(_ task: [String: Any]?) -> Bool {
    task?["status"] as? String == "active" && (task?["current_state"] as? [String: Any])?["state"] as? String == "idle"
}
