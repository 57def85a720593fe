import ServiceLifecycle

/// The loop of a background service (the job runner, the webhook worker): its body runs at
/// start, after every `wake()` (wake-ups while it runs collapse into one), and every
/// `pollInterval` for work other processes queued, until graceful shutdown or cancellation.
struct WakeLoop: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func wake() { continuation.yield() }

    /// Call once.
    func run(pollInterval: Duration, _ body: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: pollInterval)
                    continuation.yield()
                }
                continuation.finish()
            }
            await cancelWhenGracefulShutdown {
                await body()
                for await _ in stream {
                    if Task.isCancelled { break }
                    await body()
                }
            }
            continuation.finish()
            group.cancelAll()
        }
    }
}
