import Foundation
import Hummingbird
import Logging
import Synchronization

/// `taskbox bench webhooks`: the delivery worker against an in-process receiver on loopback.
/// Latency: events recorded one at a time, each timed from its commit (the payload's
/// timestamp, set inside the transaction) to its arrival at the receiver. Throughput: a backlog
/// of `backlog` events × `subscriptions` deliveries drained by a worker started afterwards.
public struct WebhookBenchmark: Sendable {
    public var latencyEvents: Int
    public var backlog: Int
    public var subscriptions: Int

    public init(latencyEvents: Int, backlog: Int, subscriptions: Int) {
        self.latencyEvents = latencyEvents
        self.backlog = backlog
        self.subscriptions = max(1, subscriptions)
    }

    public struct Result: Sendable, Encodable {
        public var subscriptions: Int
        public var latency_events: Int
        public var latency_p50_ms: Double
        public var latency_p99_ms: Double
        public var backlog_deliveries: Int
        public var backlog_seconds: Double
        public var deliveries_per_second: Double
    }

    /// Arrival times at the receiver: latencies in seconds and a count.
    final class Arrivals: Sendable {
        let state = Mutex<(latencies: [Double], count: Int)>(([], 0))
        func record(_ body: String) {
            let now = Date().timeIntervalSince1970
            // The body begins {"type":"…","timestamp":"<27 characters>"
            var latency: Double?
            if let range = body.range(of: #""timestamp":""#) {
                let start = range.upperBound
                let end = body.index(start, offsetBy: 27, limitedBy: body.endIndex) ?? body.endIndex
                latency = Timestamp.epochSeconds(String(body[start..<end])).map { now - $0 }
            }
            state.withLock {
                $0.count += 1
                if let latency { $0.latencies.append(latency) }
            }
        }
        var count: Int { state.withLock { $0.count } }
        func takeLatencies() -> [Double] { state.withLock { l in defer { l.latencies = [] }; return l.latencies } }
    }

    public func run(on database: AppDatabase) async throws -> Result {
        let workspaceID = try await Self.prepareTask(database)
        let arrivals = Arrivals()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            arrivals.record(String(buffer: body))
            return Response(status: .noContent)
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let receiver = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        let receiverTask = Task { try await receiver.runService(gracefulShutdownSignals: []) }
        defer { receiverTask.cancel() }
        var ports = portStream.makeAsyncIterator()
        guard let port = await ports.next() else { throw StoreError.invalid("receiver did not start") }
        for _ in 0..<subscriptions {
            _ = try await database.createWebhook(url: "http://127.0.0.1:\(port)/hook", events: [], userID: nil, createdBy: nil)
        }
        let options = WebhookOptions(targets: try WebhookTargetPolicy.parse(["127.0.0.1/8"]), concurrency: max(16, subscriptions))

        // Latency: one event at a time, the next once every subscriber has the previous one.
        var worker = Task { try await WebhookWorker(store: SystemStore(database), options: options, logger: quiet).run() }
        for i in 0..<latencyEvents {
            try await database.recordTaskEvent(i % 2 == 0 ? .working : .idle, workspaceID: workspaceID, message: "event \(i)")
            try await Self.waitFor(deadline: .seconds(30)) { arrivals.count >= (i + 1) * subscriptions }
        }
        worker.cancel()
        _ = await worker.result
        let latencies = arrivals.takeLatencies().sorted()

        // Throughput: a backlog written first, then drained.
        let before = arrivals.count
        try await database.recordTaskEvents(.working, workspaceID: workspaceID, messages: (0..<backlog).map { "backlog \($0)" })
        let total = backlog * subscriptions
        let start = ContinuousClock.now
        worker = Task { try await WebhookWorker(store: SystemStore(database), options: options, logger: quiet).run() }
        try await Self.waitFor(deadline: .seconds(600)) { arrivals.count - before >= total }
        let elapsed = (ContinuousClock.now - start).seconds
        worker.cancel()
        _ = await worker.result

        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000
        }
        return Result(
            subscriptions: subscriptions, latency_events: latencyEvents, latency_p50_ms: percentile(0.5),
            latency_p99_ms: percentile(0.99), backlog_deliveries: total, backlog_seconds: elapsed,
            deliveries_per_second: elapsed > 0 ? Double(total) / elapsed : 0)
    }

    static func waitFor(deadline timeout: Duration, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw StoreError.invalid("benchmark timed out") }
            try await Task.sleep(for: .microseconds(200))
        }
    }

    /// A user, an AI template without processes, and one task of theirs.
    static func prepareTask(_ database: AppDatabase) async throws -> String {
        let username = "bench-\(UUID().uuidString.prefix(6).lowercased())"
        let user = try database.createUser(username: username)
        let manifest = """
            {"name":"\(username)","parameters":[{"name":"AI Prompt","type":"string","default":""}],
             "agents":[{"name":"main","apps":[{"slug":"agent","url":"http://127.0.0.1:{port}"}]}],"ai_task":{"app":"agent"}}
            """
        let pushed = try database.pushTemplate(manifestData: Data(manifest.utf8))
        guard let version = try await database.templateVersionInfo(id: pushed.template_version_id), let templateID = version.templateID
        else { throw StoreError.notFound("benchmark template") }
        return try await database.createWorkspace(
            NewWorkspace(name: "bench-task", ownerID: user.id, organizationID: version.organizationID, templateID: templateID,
                         templateVersionID: pushed.template_version_id, presetID: nil,
                         parameters: [(name: "AI Prompt", value: "benchmark")], initiatorID: user.id, audit: nil))
    }
}
