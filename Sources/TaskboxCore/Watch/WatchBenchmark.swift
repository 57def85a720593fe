import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `taskbox bench watch` (issue #17), against a running serve and one of its tasks whose agent
/// answers at once: the latency from an agent's message to a watcher (the entry's own `time`,
/// set by the agent when it wrote the message, to its arrival in the stream), with a `/healthz`
/// round trip as the baseline; and serve's RSS before and with `idleWatchers` open streams.
public struct WatchBenchmark: Sendable {
    public var url: String
    public var token: String
    public var task: String
    public var messages: Int
    public var idleWatchers: Int
    public var serverPID: Int32?

    public init(url: String, token: String, task: String, messages: Int, idleWatchers: Int, serverPID: Int32?) {
        self.url = url
        self.token = token
        self.task = task
        self.messages = messages
        self.idleWatchers = idleWatchers
        self.serverPID = serverPID
    }

    public struct Result: Sendable, Encodable {
        public var healthz_p50_ms: Double
        public var healthz_p99_ms: Double
        public var messages: Int
        public var latency_p50_ms: Double
        public var latency_p99_ms: Double
        public var idle_watchers: Int
        public var rss_before_kb: Int?
        public var rss_with_watchers_kb: Int?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A pool with room for every stream.
    static func client(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections + 16
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func run() async throws -> Result {
        let http = Self.client(connections: idleWatchers)
        let healthz: [Double], latencies: [Double], before: Int?, with: Int?, streams: [Task<Void, Never>]
        do {
            healthz = try await baseline(http)
            latencies = try await messageLatencies(http)
            before = serverPID.flatMap(Self.rssKB)
            streams = try await openIdleWatchers(http)
            try await Task.sleep(for: .seconds(1))
            with = serverPID.flatMap(Self.rssKB)
            for stream in streams { stream.cancel() }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
        return Result(
            healthz_p50_ms: Self.percentile(healthz, 0.5) * 1000, healthz_p99_ms: Self.percentile(healthz, 0.99) * 1000,
            messages: latencies.count, latency_p50_ms: Self.percentile(latencies, 0.5) * 1000,
            latency_p99_ms: Self.percentile(latencies, 0.99) * 1000, idle_watchers: streams.count,
            rss_before_kb: before, rss_with_watchers_kb: with)
    }

    func request(_ path: String, method: HTTPMethod = .GET, body: String? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        request.headers.add(name: "Coder-Session-Token", value: token)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return request
    }

    /// `messages` sequential `/healthz` round trips, in seconds.
    func baseline(_ http: HTTPClient) async throws -> [Double] {
        var samples: [Double] = []
        for _ in 0..<messages {
            let start = ContinuousClock.now
            let response = try await http.execute(request("/healthz"), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            samples.append((ContinuousClock.now - start).seconds)
        }
        return samples
    }

    /// One watcher; `messages` sends one after the other, each after the previous answer arrived.
    func messageLatencies(_ http: HTTPClient) async throws -> [Double] {
        let watchPath = "/api/v2/tasks/me/\(task)/watch"
        let response = try await http.execute(request(watchPath), timeout: .hours(1))
        guard response.status == .ok else { throw Failure(description: "watch answered \(response.status.code)") }
        let (answers, answer) = AsyncStream.makeStream(of: Double.self)
        let reader = Task {
            var parser = ServerSentEventParser()
            for try await chunk in response.body {
                let arrived = Date().timeIntervalSince1970
                for event in try parser.feed(chunk.readableBytesView) where event.event == "log" {
                    guard let json = try? GoJSON.parse(Array(event.data.utf8)), case .string(let type)? = json["type"],
                          type == "output", case .string(let content)? = json["content"], content.hasPrefix("Echo: bench-"),
                          case .string(let time)? = json["time"], let written = Timestamp.epochSeconds(time)
                    else { continue }
                    answer.yield(arrived - written)
                }
            }
            answer.finish()
        }
        defer { reader.cancel() }
        var iterator = answers.makeAsyncIterator()
        var samples: [Double] = []
        for i in 0..<messages {
            let sent = try await sendWhenIdle("bench-\(i)", http)
            guard sent else { throw Failure(description: "the agent never took message \(i)") }
            guard let latency = await iterator.next() else { throw Failure(description: "the stream ended") }
            samples.append(latency)
        }
        return samples
    }

    /// Sends once the agent is idle again (its answer is out, its status may lag a moment).
    func sendWhenIdle(_ input: String, _ http: HTTPClient) async throws -> Bool {
        for _ in 0..<2000 {
            let response = try await http.execute(
                request("/api/v2/tasks/me/\(task)/send", method: .POST, body: #"{"input":"\#(input)"}"#), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 16)
            if response.status == .noContent { return true }
            try await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// Opens the idle streams and waits until each has its first event.
    func openIdleWatchers(_ http: HTTPClient) async throws -> [Task<Void, Never>] {
        final class Counter: Sendable {
            let value = Mutex(0)
        }
        let counter = Counter()
        var streams: [Task<Void, Never>] = []
        for _ in 0..<idleWatchers {
            let request = request("/api/v2/tasks/me/\(task)/watch")
            streams.append(Task {
                guard let response = try? await http.execute(request, timeout: .hours(1)) else { return }
                var first = true
                do {
                    for try await _ in response.body where first {
                        first = false
                        counter.value.withLock { $0 += 1 }
                    }
                } catch {}
            })
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while counter.value.withLock({ $0 }) < idleWatchers && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard counter.value.withLock({ $0 }) == idleWatchers else {
            throw Failure(description: "only \(counter.value.withLock { $0 }) of \(idleWatchers) watchers connected")
        }
        return streams
    }

    /// VmRSS of a process, in KiB.
    static func rssKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    static func percentile(_ samples: [Double], _ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
}
