import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Sends the outbox (taskbox `serve`): per subscription one delivery at a time in outbox order,
/// subscriptions concurrently, each attempt recorded and failures retried with backoff. A commit
/// to the outbox by this process wakes it at once; a poll catches the rest. Deliveries are
/// at-least-once: one interrupted by a crash stays pending and is sent again after the restart.
public actor WebhookWorker: Service {
    let store: SystemStore<WebhookDelivererRole>
    let options: WebhookOptions
    let logger: Logger
    let pollInterval: Duration
    /// Its own client: no redirects, bounded connect and read, never shared with the API.
    let client: HTTPClient

    private var inFlight: Set<String> = []  // subscription ids
    private let wakeLoop = WakeLoop()

    public init(store: SystemStore<WebhookDelivererRole>, options: WebhookOptions, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.options = options
        self.logger = logger
        self.pollInterval = pollInterval
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(min(5, max(1, options.timeout.components.seconds))),
                                      read: .milliseconds(Int64(options.timeout.seconds * 1000)))
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public nonisolated func wake() { wakeLoop.wake() }

    /// Deliveries run as children of the loop's task group: after graceful shutdown stops the
    /// dispatch loop, the attempts under way (each bounded by the timeout) are awaited.
    public func run() async throws {
        let stopObserving = store.observeDeliveries { [weak self] in self?.wake() }
        await wakeLoop.run(pollInterval: pollInterval, dispatch: { claims in await self.dispatch(to: claims) }) { delivery in
            let retryIn = await self.deliver(delivery)
            await self.finished(delivery.subscriptionID)
            if let retryIn {
                // The poll would find it too; this only saves the wait. Shutdown does not wait for it.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retryIn) }
                self.wake()
            }
        }
        stopObserving()
        do {
            try await client.shutdown()
        } catch {
            logger.error("cannot shut the webhook client down", metadata: ["error": "\(error)"])
        }
    }

    private func dispatch(to claims: AsyncStream<DueDelivery>.Continuation) async {
        let free = options.concurrency - inFlight.count
        guard free > 0 else { return }
        let due: [DueDelivery]
        do {
            due = try await store.dueDeliveries(now: Timestamp.now(), excluding: inFlight, limit: free)
        } catch {
            logger.error("cannot read the webhook outbox", metadata: ["error": "\(error)"])
            return
        }
        for delivery in due where !inFlight.contains(delivery.subscriptionID) {
            inFlight.insert(delivery.subscriptionID)
            claims.yield(delivery)
        }
    }

    private func finished(_ subscriptionID: String) {
        inFlight.remove(subscriptionID)
        wakeLoop.wake()
    }

    /// One attempt, recorded; the delay before the next one when it failed and may be retried.
    /// An attempt cut short by cancellation is not recorded: it stays pending for the next start.
    /// Logs name the subscription and the delivery, never the secret.
    nonisolated func deliver(_ delivery: DueDelivery) async -> Duration? {
        let attemptedAt = Timestamp.now()
        let started = ContinuousClock.now
        let result = await attempt(delivery)
        if Task.isCancelled { return nil }
        let elapsed = ContinuousClock.now - started
        let durationMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let outcome: DeliveryOutcome
        var retryIn: Duration?
        switch result {
        case .success(let code):
            outcome = .delivered(statusCode: code)
        case .failure(let failure):
            let age = Date().timeIntervalSince1970 - (Timestamp.epochSeconds(delivery.createdAt) ?? 0)
            retryIn = options.retryDelay(afterFailedAttempts: delivery.attempts + 1, ageSeconds: age)
            let retryAt = retryIn.map { Timestamp.format(Date().addingTimeInterval($0.seconds)) }
            outcome = .failed(statusCode: failure.statusCode, error: failure.message, retryAt: retryAt)
            logger.warning(
                "webhook delivery failed",
                metadata: ["subscription": .string(delivery.subscriptionID), "webhook_id": .string(delivery.eventID),
                           "error": .string(failure.message), "retry": .string(retryAt ?? "given up")])
        }
        do {
            try await store.recordAttempt(delivery, outcome: outcome, attemptedAt: attemptedAt, durationMs: durationMs)
        } catch {
            logger.error("cannot record a webhook attempt", metadata: ["error": "\(error)"])
        }
        return retryIn
    }

    struct AttemptFailure: Error {
        var statusCode: Int?
        var message: String
    }

    /// Sends a delivery: a 2xx answer is success; anything else, a refusal or no answer in time fails.
    nonisolated func attempt(_ delivery: DueDelivery) async -> Result<Int, AttemptFailure> {
        if let refusal = options.targets.refusal(for: delivery.url) {
            return .failure(AttemptFailure(message: refusal))
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "taskbox-webhooks/\(TaskboxVersion.current)")
        request.headers.add(name: "webhook-id", value: delivery.eventID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: WebhookSecret.header(secrets: delivery.secrets, id: delivery.eventID, timestamp: timestamp, body: delivery.payload))
        request.body = .bytes(ByteBuffer(bytes: delivery.payload))
        let prepared = request
        do {
            let code = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    let response = try await self.client.execute(prepared, timeout: .milliseconds(Int64(self.options.timeout.seconds * 1000)))
                    // Read (at most 64 KiB of) the answer so the connection can be reused.
                    var read = 0
                    for try await chunk in response.body {
                        read += chunk.readableBytes
                        if read > 65536 { break }
                    }
                    return Int(response.status.code)
                }
                group.addTask {
                    try await Task.sleep(for: self.options.timeout)
                    throw HTTPClientError.deadlineExceeded
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            if (200..<300).contains(code) { return .success(code) }
            let note = (300..<400).contains(code) ? " (redirects are not followed)" : ""
            return .failure(AttemptFailure(statusCode: code, message: "HTTP \(code)\(note)"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(AttemptFailure(message: "no answer within \(options.timeout)"))
        } catch {
            return .failure(AttemptFailure(message: String(String(describing: error).prefix(300))))
        }
    }
}
