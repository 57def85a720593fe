import Foundation
import Logging
import ServiceLifecycle

/// The only executor of provisioner jobs (taskbox.md §3): up to `concurrency` at once, never
/// two of one workspace, pending jobs in creation order. The API and admin commands only
/// enqueue; `wake()` shortens the wait, a poll catches jobs other processes enqueued.
public actor JobRunner: Service {
    let store: SystemStore<ProvisionerRole>
    let supervisor: Supervisor
    let concurrency: Int
    let logger: Logger
    let pollInterval: Duration
    /// Called before a stop job stops a workspace's processes (the task log snapshot).
    let beforeStop: @Sendable (_ workspaceID: String) async -> Void

    private var active: [String: String] = [:]  // job id → workspace id
    /// No job starts before the server is listening (the access URL is final then) and recovery ran.
    private var ready = false
    private let wakeLoop = WakeLoop()
    /// Yields once the server listens (`listening()`).
    private let bound: AsyncStream<Void>
    private let boundQueue: AsyncStream<Void>.Continuation

    public init(
        store: SystemStore<ProvisionerRole>, supervisor: Supervisor, concurrency: Int, logger: Logger, pollInterval: Duration = .seconds(1),
        beforeStop: @escaping @Sendable (_ workspaceID: String) async -> Void = { _ in }
    ) {
        self.beforeStop = beforeStop
        self.store = store
        self.supervisor = supervisor
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.pollInterval = pollInterval
        (bound, boundQueue) = AsyncStream.makeStream(of: Void.self)
    }

    /// Asks the runner to look for work now.
    public nonisolated func wake() { wakeLoop.wake() }

    /// At start-up: fail jobs a crash left running, and start again the apps of workspaces
    /// whose latest build is a succeeded start.
    public func recover() async throws {
        let failed = try await store.failInterruptedJobs()
        if failed > 0 { logger.warning("failed jobs interrupted by a restart", metadata: ["count": .stringConvertible(failed)]) }
        try await store.reconnectRunningAgents()
        await supervisor.killOrphans()
        await supervisor.startHeartbeat()
        for buildID in try await store.buildsToResume() {
            guard let build = try await store.supervisedBuild(buildID: buildID) else { continue }
            do {
                try await supervisor.start(build)
            } catch {
                logger.error("cannot restart apps", metadata: ["workspace": .string(build.workspaceID), "error": "\(error)"])
            }
        }
    }

    /// Called once the listener is bound (from the server's callback, which recovery must not hold up):
    /// `run()` then recovers and starts taking jobs.
    public nonisolated func listening() {
        boundQueue.yield()
        boundQueue.finish()
    }

    /// A child of `run()`: recover once the server listens, then start taking jobs. A shutdown
    /// before the listener is bound skips both.
    private func recoverWhenListening() async {
        let listens = await cancelWhenGracefulShutdown { [bound] in await bound.first { _ in true } != nil }
        guard listens else { return }
        do {
            try await recover()
        } catch {
            logger.error("recovery failed", metadata: ["error": "\(error)"])
        }
        ready = true
        wakeLoop.wake()
    }

    /// Recovery and jobs run as children of task groups this method owns, beside the
    /// supervisor's own work: after graceful shutdown stops the dispatch loop, the recovery
    /// and the running jobs are awaited, then every app process stops and the supervisor's
    /// children end with it.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.supervisor.run() }
            await withDiscardingTaskGroup { work in
                work.addTask { await self.recoverWhenListening() }
                await wakeLoop.run(pollInterval: pollInterval, dispatch: { claims in await self.dispatch(to: claims) }) { job in
                    await self.execute(job)
                    await self.finished(job.id)
                }
            }
            await supervisor.shutdown()
        }
    }

    /// Claims the jobs that may start now and hands them to `run()`'s task group.
    private func dispatch(to claims: AsyncStream<QueuedJob>.Continuation) async {
        guard ready else { return }
        let free = concurrency - active.count
        guard free > 0 else { return }
        let jobs: [QueuedJob]
        do {
            jobs = try await store.pendingJobs(limit: free, excluding: Set(active.values))
        } catch {
            logger.error("cannot read the job queue", metadata: ["error": "\(error)"])
            return
        }
        var busy = Set(active.values)
        for job in jobs where !busy.contains(job.workspaceID) {
            busy.insert(job.workspaceID)
            active[job.id] = job.workspaceID
            claims.yield(job)
        }
    }

    private func finished(_ jobID: String) {
        active.removeValue(forKey: jobID)
        wakeLoop.wake()
    }

    /// Runs one job to its end; every outcome is written to the database.
    func execute(_ job: QueuedJob) async {
        do {
            if job.canceled {
                try await store.finishCanceledJob(id: job.id)
                return
            }
            let build: SupervisedBuild?
            switch try await store.beginJob(id: job.id) {
            case .notPending:
                // Canceled between the read and the start.
                try await store.finishCanceledJob(id: job.id)
                return
            case .applyFailed(let error):
                throw error
            case .applied(_, let supervised):
                build = supervised
            }
            switch job.transition {
            case .start:
                guard let build else { throw StoreError.notFound("the build of job \(job.id) vanished") }
                try await supervisor.start(build)
                if try await store.isJobCanceled(id: job.id) {
                    try await supervisor.stop(workspaceID: job.workspaceID)
                    try await store.finishCanceledJob(id: job.id)
                    return
                }
            case .stop:
                await beforeStop(job.workspaceID)
                try await supervisor.stop(workspaceID: job.workspaceID)
            case .delete:
                try await supervisor.stop(workspaceID: job.workspaceID)
                try await supervisor.removeDirectory(workspaceID: job.workspaceID)
            }
            // A job canceled meanwhile ends as canceled: completeJob leaves it without the
            // success bookkeeping, in the same transaction that reads canceled_at.
            try await store.completeJob(id: job.id)
        } catch {
            logger.error("job failed", metadata: ["job": .string(job.id), "error": "\(error)"])
            do {
                try await store.completeJob(id: job.id, error: String(describing: error))
            } catch let failure {
                // The job stays running until the next start fails it as interrupted.
                logger.error("cannot record the job's failure", metadata: ["job": .string(job.id), "error": "\(failure)"])
            }
        }
    }
}
