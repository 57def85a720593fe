/// Ends one child task of a task group from outside the group: the child runs its body through
/// `run`, and whoever holds the signal calls `stop()` (the app's healthcheck when the app stops,
/// an agent subscription that is replaced). A stop before the body starts ends it at once.
struct StopSignal: Sendable {
    private let stopped: AsyncStream<Never>
    private let continuation: AsyncStream<Never>.Continuation

    init() {
        (stopped, continuation) = AsyncStream.makeStream(of: Never.self)
    }

    func stop() { continuation.finish() }

    /// Runs `body` until it returns or `stop()` is called (then `body` is cancelled and awaited).
    func run(_ body: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await body() }
            group.addTask { [stopped] in
                for await _ in stopped {}
            }
            await group.next()
            group.cancelAll()
        }
    }
}
