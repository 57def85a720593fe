import Foundation

/// The store as taskbox itself uses it, outside a user's request (issue #12; Coder's restricted
/// system subjects, `AsSystemRestricted`, `AsNotifier`, …): each background role holds a
/// `SystemStore` of its own, which offers only the reads and writes that role needs, each with
/// the reason the system may do it. Made at the composition root (`buildRouter`,
/// `buildApplication`); `StructureTests` keeps `AppDatabase` out of the routes and workers.
public struct SystemStore<Role: SystemRole>: Sendable {
    let database: AppDatabase

    public init(_ database: AppDatabase) { self.database = database }
}

/// A background role: a type without values that says which `SystemStore` methods exist.
public protocol SystemRole: Sendable {}

// MARK: The follow-up queue worker (`TaskQueueWorker`)

/// Delivers inputs that a route authorized when it queued them (`AuthorizedStore.enqueue`).
public enum FollowUpQueueRole: SystemRole {}

extension SystemStore where Role == FollowUpQueueRole {
    /// Every queue's head: each entry was queued by a caller allowed to connect to its task's app.
    func queueHeads() async throws -> [QueuedInput] { try await database.queueHeads() }

    /// The task of a queued entry, to see whether its agent can take the entry now.
    func task(id: String) async throws -> TaskRow? { try await database.task(id: id) }

    /// The task's bound app, where the entry is delivered.
    func sidebarApp(appID: String) async throws -> SidebarApp? { try await database.sidebarApp(jobID: nil, appID: appID) }

    /// The agent accepted the entry: the worker's own bookkeeping.
    func markDelivered(_ entry: QueuedInput) async throws { try await database.markQueuedInputDelivered(id: entry.id) }

    /// A failed attempt, shown to the task's readers in the queue listing.
    func recordFailure(of entry: QueuedInput, error: String) async throws {
        try await database.recordQueuedInputFailure(id: entry.id, error: error)
    }
}

// MARK: The watch hubs (`TaskWatchHubs`, `TaskWatchHub`)

/// Follows a task for watchers whose route authorized them (`TaskWatchHubs.attach` takes a
/// `TaskAppAccess`).
public enum WatchHubRole: SystemRole {}

extension SystemStore where Role == WatchHubRole {
    /// The watched task, re-read after each change.
    func task(id: String) async throws -> TaskRow? { try await database.task(id: id) }

    /// The watched task's workspace, for the task's current state in its events.
    func workspaceView(id: String) async throws -> WorkspaceView? { try await database.workspaceView(id: id) }

    /// The watched task's bound app, whose `/events` become the stream's `log` events.
    func sidebarApp(appID: String) async throws -> SidebarApp? { try await database.sidebarApp(jobID: nil, appID: appID) }
}

// MARK: The agent-token routes (`AgentController`, `TaskSnapshotController`)

/// Acts for a workspace agent, which authenticates with its token, not as a user (tasks-api.md §8).
public enum AgentTokenRole: SystemRole {}

extension SystemStore where Role == AgentTokenRole {
    /// The agent a token belongs to: the token is the agent's credential.
    func agent(token: String) async throws -> AuthenticatedAgent? { try await database.agent(token: token) }

    /// An app of the authenticated agent, by slug.
    func appID(of agent: AuthenticatedAgent, slug: String) async throws -> String? {
        try await database.appID(agentID: agent.agentID, slug: slug)
    }

    /// The agent reports the state of its own app (tasks-api.md §8.2).
    @discardableResult
    func insertAppStatus(
        agent: AuthenticatedAgent, appID: String, state: AppStatusState, message: String, uri: String
    ) async throws -> String? {
        try await database.insertAppStatus(agent: agent, appID: appID, state: state, message: message, uri: uri)
    }

    /// A task of the agent's own workspace, and no other (tasks-v2.md §3.11 steps 5–6).
    func task(id: String, of agent: AuthenticatedAgent) async throws -> TaskRow? {
        try await database.agentTask(id: id, workspaceID: agent.workspaceID)
    }

    /// The agent uploads the conversation of a task of its own workspace (read through `task(id:of:)`).
    func storeSnapshot(_ snapshot: TaskLogSnapshot, of task: TaskRow) async throws {
        try await database.storeTaskSnapshot(taskID: task.id, snapshot)
    }
}

// MARK: The webhook deliverer (`WebhookWorker`)

/// Sends the outbox that the store fills in the transactions of task changes.
public enum WebhookDelivererRole: SystemRole {}

extension SystemStore where Role == WebhookDelivererRole {
    /// Wakes the deliverer after each commit to the outbox; the returned closure stops that.
    func observeDeliveries(_ onChange: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let observation = database.observeWebhookDeliveries(onChange)
        return { observation.cancel() }
    }

    /// The deliveries due now: what the subscriptions' owners asked to be sent.
    func dueDeliveries(now: String, excluding busy: Set<String>, limit: Int) async throws -> [DueDelivery] {
        try await database.dueWebhookDeliveries(now: now, excluding: busy, limit: limit)
    }

    /// An attempt's outcome: the deliverer's own bookkeeping, shown to the subscription's managers.
    func recordAttempt(_ delivery: DueDelivery, outcome: DeliveryOutcome, attemptedAt: String, durationMs: Int) async throws {
        try await database.recordWebhookAttempt(delivery, outcome: outcome, attemptedAt: attemptedAt, durationMs: durationMs)
    }
}

// MARK: The provisioner (`JobRunner`, `Supervisor`, `TaskSnapshotCapture`)

/// Runs the jobs that routes enqueued through `AuthorizedStore` and supervises what they started.
public enum ProvisionerRole: SystemRole {}

extension SystemStore where Role == ProvisionerRole {
    /// The database file's path: workspaces live beside it.
    var databasePath: String { database.path }

    /// Jobs to run, enqueued by authorized builds.
    func pendingJobs(limit: Int, excluding busy: Set<String>) async throws -> [QueuedJob] {
        try await database.pendingJobs(limit: limit, excluding: busy)
    }

    /// At start-up: jobs a previous process left running can never finish.
    @discardableResult
    func failInterruptedJobs() async throws -> Int { try await database.failInterruptedJobs() }

    /// At start-up: the agents of running workspaces are this process's again.
    @discardableResult
    func reconnectRunningAgents() async throws -> Int { try await database.reconnectRunningAgents() }

    /// At start-up: the builds whose apps this process starts again.
    func buildsToResume() async throws -> [String] { try await database.buildsToResume() }

    /// What the supervisor runs for a build.
    func supervisedBuild(buildID: String) async throws -> SupervisedBuild? { try await database.supervisedBuild(buildID: buildID) }

    /// A job's cancellation, asked for through `AuthorizedStore.cancelBuild`.
    func isJobCanceled(id: String) async throws -> Bool { try await database.isJobCanceled(id: id) }

    /// Ends a canceled job.
    func finishCanceledJob(id: String) async throws { try await database.finishCanceledJob(id: id) }

    /// Starts a job and applies its build.
    func beginJob(id: String) async throws -> AppDatabase.BegunJob { try await database.beginJob(id: id) }

    /// Ends a job, with its error if it failed.
    func completeJob(id: String, error: String? = nil) async throws { try await database.completeJob(id: id, error: error) }

    /// The agents of the apps the supervisor runs.
    func setAgentLifecycle(_ agentIDs: [String], _ state: AgentLifecycleState, connected: Bool? = nil) async throws {
        try await database.setAgentLifecycle(agentIDs, state, connected: connected)
    }

    /// The agents' apps started.
    func markAgentsReady(_ agentIDs: [String]) async throws { try await database.markAgentsReady(agentIDs) }

    /// An agent's app failed to start.
    func markAgentStartError(_ agentID: String) async throws { try await database.markAgentStartError(agentID) }

    /// A healthcheck's answer.
    func setAppHealth(_ appID: String, _ health: AppHealth) async throws { try await database.setAppHealth(appID, health) }

    /// A stop begins: the workspace's agents shut down.
    func shutDownAgents(workspaceID: String) async throws { try await database.shutDownAgents(workspaceID: workspaceID) }

    /// A stop ended: the workspace's agents are off.
    func turnOffAgents(workspaceID: String) async throws { try await database.turnOffAgents(workspaceID: workspaceID) }

    /// On shutdown: no agent stays connected to a process that is gone.
    func disconnectAllAgents() async throws { try await database.disconnectAllAgents() }

    /// The supervised agents are alive.
    func heartbeat() async throws { try await database.heartbeat() }

    /// Before a stop job stops a task's app: where its conversation can be read.
    func snapshotSource(workspaceID: String) async throws -> SnapshotSource? {
        try await database.snapshotSource(workspaceID: workspaceID)
    }

    /// Before a stop job stops a task's app: its conversation, for the logs of the paused task.
    func storeSnapshot(_ snapshot: TaskLogSnapshot, taskID: String) async throws {
        try await database.storeTaskSnapshot(taskID: taskID, snapshot)
    }
}
