/// Work that a method starts but must not wait for (an app's healthcheck, the handling of a
/// process exit, a message's delivery to an agent), run as child tasks of the group of one
/// owner's `run()` instead of as unstructured tasks: the owner's shutdown calls `finish()`,
/// and `run()` returns once every child has. Cancelling `run()` cancels the children.
struct ChildTaskQueue: Sendable {
    private let work: AsyncStream<@Sendable () async -> Void>
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        (work, continuation) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Dropped after `finish()`.
    func add(_ operation: @escaping @Sendable () async -> Void) { continuation.yield(operation) }

    func finish() { continuation.finish() }

    /// Call once, from the owner's task.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await operation in work {
                group.addTask(operation: operation)
            }
        }
    }
}
