import Foundation
import Logging

/// Runs and watches the app processes of started builds: children of `serve`, each with its
/// healthcheck; keeps the agents' connection times fresh; stops processes on stop, delete
/// and shutdown (taskbox.md §3, §5). What outlives a call (healthchecks, the heartbeat, the
/// handling of an exit) runs as a child task of `run()`, which `shutdown()` ends.
public actor Supervisor {
    let store: SystemStore<ProvisionerRole>
    let accessURL: AccessURL
    let workspacesDirectory: URL
    let logger: Logger
    let stopGrace: Duration
    let isolation: Isolation

    private struct Running {
        var process: ChildProcess
        var markers: [String]
        var workspaceID: String
        var agentID: String
        var startedAt: ContinuousClock.Instant
        var stopping = false
    }

    private var running: [String: Running] = [:]            // by app id
    private var healthchecks: [String: StopSignal] = [:]    // by app id
    private var appsOfWorkspace: [String: String] = [:]      // app id → workspace id
    private var heartbeat: StopSignal?
    /// Healthchecks, the heartbeat and exits being handled: children of `run()`.
    private let children = ChildTaskQueue()
    /// Set by shutdown: no process starts after it (recovery may still be starting apps).
    private var closed = false

    /// An app process that exits non-zero this soon after its start is a failed start-up.
    static let startupWindow: Duration = .seconds(5)
    static let heartbeatInterval: Duration = .seconds(15)

    public init(
        store: SystemStore<ProvisionerRole>, accessURL: AccessURL, logger: Logger, stopGrace: Duration = .seconds(10), isolation: Isolation = .none
    ) {
        self.isolation = isolation
        self.store = store
        self.accessURL = accessURL
        self.workspacesDirectory = Self.workspacesDirectory(databasePath: store.databasePath)
        self.logger = logger
        self.stopGrace = stopGrace
    }

    /// Runs the supervisor's lasting work as children of one task group, until `shutdown()`
    /// has stopped the apps, their healthchecks and the heartbeat: then every child is awaited.
    /// `JobRunner.run()` runs it beside its jobs.
    public func run() async {
        await children.run()
    }

    /// Workspaces live beside the database file.
    static func workspacesDirectory(databasePath: String) -> URL {
        URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("workspaces")
    }

    public func directory(of workspaceID: String) -> URL {
        workspacesDirectory.appendingPathComponent(workspaceID)
    }

    /// Starts every app command of a build. If one cannot be started, those already started
    /// are stopped and the error is thrown (the job fails with it).
    public func start(_ build: SupervisedBuild) async throws {
        startHeartbeat()
        let dir = directory(of: build.workspaceID)
        // The directory is where commands run; a build with nothing to spawn (external apps
        // only) gets none, and its agents are ready at once: one write instead of two. A
        // mkdir costs 150–600 µs on ext4 here, the largest part of such a build (issue #19).
        let spawns = build.apps.contains { $0.app.command != nil }
        if spawns {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            Self.logFailure(of: "set the workspaces directory's mode", [:], logger) {
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: workspacesDirectory.path)
            }
            if let prompt = AppEnvironment.prompt(of: build) {
                // The prompt whole, whatever its length (TASKBOX_TASK_PROMPT_FILE).
                let file = dir.appendingPathComponent(AppEnvironment.promptFileName)
                try WorkspaceFile.write(prompt, to: file)
            }
        }
        let agentIDs = build.agents.map(\.id)
        try await store.setAgentLifecycle(agentIDs, spawns ? .starting : .ready, connected: true)
        var started: [String] = []
        for supervised in build.apps {
            let app = supervised.app
            appsOfWorkspace[app.id] = build.workspaceID
            if let command = app.command {
                let pidFile = dir.appendingPathComponent("\(app.slug).pid")
                let markers = AppProcess.markers(workspaceDirectory: dir, slug: app.slug)
                do {
                    if closed { throw AppProcess.SpawnError(description: "serve is shutting down") }
                    let process = try AppProcess.spawn(
                        command: command, directory: dir, environment: environment(for: supervised, in: build),
                        logFile: dir.appendingPathComponent("\(app.slug).log"),
                        isolation: isolation, dataDirectory: workspacesDirectory.deletingLastPathComponent()
                    ) { [children] status in
                        // Called on the process's waiter thread: handed to `run()`.
                        children.add { await self.exited(appID: app.id, status: status) }
                    }
                    running[app.id] = Running(
                        process: process, markers: markers, workspaceID: build.workspaceID, agentID: app.agentID, startedAt: .now)
                    Self.logFailure(of: "write an app's pid file", ["app": .string(app.id)], logger) {
                        try WorkspaceFile.write(String(process.pid), to: pidFile)
                    }
                    started.append(app.id)
                } catch {
                    for id in started { await stopApp(id) }
                    await Self.logFailure("the agents' start error", ["workspace": .string(build.workspaceID)], logger) { [store] in
                        try await store.setAgentLifecycle(agentIDs, .startError)
                    }
                    throw error
                }
            }
            if let url = app.healthcheckURL, app.healthcheckInterval > 0 {
                let check = Healthcheck(
                    url: url, interval: .seconds(app.healthcheckInterval), threshold: max(1, app.healthcheckThreshold),
                    token: supervised.agentToken)
                let stop = StopSignal()
                healthchecks.updateValue(stop, forKey: app.id)?.stop()
                children.add { await stop.run { await self.watchHealth(app.id, check) } }
            }
        }
        // A process that already failed its start-up keeps its agent at start_error.
        if spawns { try await store.markAgentsReady(agentIDs) }
    }

    /// The environment of an app process (taskbox.md §2, §3), built on purpose.
    func environment(for supervised: SupervisedApp, in build: SupervisedBuild) -> [String: String] {
        AppEnvironment.make(
            for: supervised, in: build, directory: directory(of: build.workspaceID), accessURL: accessURL.url,
            serve: ProcessInfo.processInfo.environment)
    }

    /// A child of `run()` for each app with a healthcheck, until its app stops.
    private nonisolated func watchHealth(_ appID: String, _ check: Healthcheck) async {
        await check.run { [store, logger] health in
            await Self.logFailure("an app's health", ["app": .string(appID), "health": .string(health.rawValue)], logger) {
                try await store.setAppHealth(appID, health)
            }
        }
    }

    private func exited(appID: String, status: Int32) async {
        guard let entry = running.removeValue(forKey: appID) else { return }
        healthchecks.removeValue(forKey: appID)?.stop()
        if entry.stopping { return }
        logger.warning("app process exited", metadata: ["app": .string(appID), "status": .stringConvertible(status)])
        await Self.logFailure("an app's health", ["app": .string(appID), "health": .string(AppHealth.unhealthy.rawValue)], logger) { [store] in
            try await store.setAppHealth(appID, .unhealthy)
        }
        if status != 0 && ContinuousClock.now - entry.startedAt < Self.startupWindow {
            await Self.logFailure("an agent's start error", ["app": .string(appID), "agent": .string(entry.agentID)], logger) {
                [store] in try await store.markAgentStartError(entry.agentID)
            }
        }
    }

    private func stopApp(_ appID: String) async {
        healthchecks.removeValue(forKey: appID)?.stop()
        guard var entry = running[appID] else { return }
        entry.stopping = true
        running[appID] = entry
        await AppProcess.stop(entry.process, markers: entry.markers, grace: stopGrace)
        running.removeValue(forKey: appID)
    }

    /// Stops a workspace's processes (SIGTERM, SIGKILL after the grace period) and turns its agents off.
    public func stop(workspaceID: String) async throws {
        let apps = running.filter { $0.value.workspaceID == workspaceID }.map(\.key)
        for id in healthchecks.keys where appsOfWorkspace[id] == workspaceID {
            healthchecks.removeValue(forKey: id)?.stop()
        }
        try await store.shutDownAgents(workspaceID: workspaceID)
        await withTaskGroup(of: Void.self) { group in
            for id in apps { group.addTask { await self.stopApp(id) } }
        }
        try await store.turnOffAgents(workspaceID: workspaceID)
    }

    /// At start-up, before any app starts: whatever the apps of a killed `serve` left running
    /// on this database's workspaces is stopped (its whole tree, found by its variables).
    public func killOrphans() async {
        await Self.killOrphans(databasePath: store.databasePath)
    }

    /// Stops app processes a previous `serve` of this database left behind (they carry its
    /// workspace directory in their environment). `serve` calls this before it listens, so no
    /// request reaches an old app that is about to be killed (its answer would be lost with it).
    public static func killOrphans(databasePath: String) async {
        let prefix = "TASKBOX_WORKSPACE_DIR=\(workspacesDirectory(databasePath: databasePath).path)/"
        await AppProcess.killStale { environ in environ.contains { $0.hasPrefix(prefix) } }
    }

    public func removeDirectory(workspaceID: String) throws {
        let dir = directory(of: workspaceID)
        if FileManager.default.fileExists(atPath: dir.path) { try FileManager.default.removeItem(at: dir) }
    }

    /// On shutdown: every process stopped, every agent disconnected (but the builds stay
    /// started, so the next `serve` starts their apps again); then `run()` ends once its
    /// children (healthchecks, heartbeat, exits being recorded) have.
    public func shutdown() async {
        closed = true
        heartbeat?.stop()
        for check in healthchecks.values { check.stop() }
        healthchecks.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for id in running.keys { group.addTask { await self.stopApp(id) } }
        }
        await Self.logFailure("the agents' disconnection", [:], logger) { [store] in try await store.disconnectAllAgents() }
        children.finish()
    }

    func startHeartbeat() {
        guard heartbeat == nil else { return }
        let stop = StopSignal()
        heartbeat = stop
        children.add { await stop.run { await self.beat() } }
    }

    /// Refreshes the agents' connection times every `heartbeatInterval`, as a child of `run()`.
    private nonisolated func beat() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.heartbeatInterval)
            if Task.isCancelled { return }
            await Self.logFailure("the heartbeat", [:], logger) { [store] in try await store.heartbeat() }
        }
    }

    /// A database write the supervisor cannot undo the cause of (a process exited, a check
    /// answered): its failure is logged with the ids it concerns, and supervision goes on.
    private static func logFailure(
        _ what: String, _ metadata: Logger.Metadata, _ logger: Logger, _ write: @Sendable () async throws -> Void
    ) async {
        do {
            try await write()
        } catch {
            logger.error("cannot record \(what)", metadata: metadata.merging(["error": "\(error)"]) { _, new in new })
        }
    }

    /// A file operation on the actor (no hop to another executor): its failure is logged.
    private static func logFailure(of what: String, _ metadata: Logger.Metadata, _ logger: Logger, _ operation: () throws -> Void) {
        do {
            try operation()
        } catch {
            logger.error("cannot \(what)", metadata: metadata.merging(["error": "\(error)"]) { _, new in new })
        }
    }
}
