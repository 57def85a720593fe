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

    /// `run(pollInterval:_:)` for a worker: `dispatch` hands what it claimed to `claims`, and each
    /// piece runs `perform` as a child task of one group this method owns. It returns once the
    /// loop ended and every piece finished: graceful shutdown awaits the work under way.
    func run<Work: Sendable>(
        pollInterval: Duration, dispatch: @escaping @Sendable (_ claims: AsyncStream<Work>.Continuation) async -> Void,
        perform: @escaping @Sendable (Work) async -> Void
    ) async {
        let (claimed, claims) = AsyncStream.makeStream(of: Work.self)
        await withDiscardingTaskGroup { group in
            group.addTask {
                await run(pollInterval: pollInterval) { await dispatch(claims) }
                claims.finish()
            }
            for await work in claimed {
                group.addTask { await perform(work) }
            }
        }
    }
}
