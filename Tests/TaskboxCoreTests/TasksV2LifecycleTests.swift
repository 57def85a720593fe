import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// tasks-v2.md §3.9–§3.10 (`TestPauseTask`, `TestResumeTask`), the status view of §2.2
/// (`TestTasksWithStatusView`) and `current_state` of §2.3 (`TestDeriveTaskCurrentState_Unit`).
@Suite(.serialized, .timeLimit(.minutes(2))) struct TasksV2LifecycleTests {
    let dir = TestDirectory()

    func withServer(
        _ body: @escaping @Sendable (TaskFixture, any TestClientProtocol, _ alice: String, _ bob: String) async throws -> Void
    ) async throws {
        try await withV2Server(dir, body)
    }

    @Test func pauseThenResumeMakeTaskBuilds() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .active, token: alice, client: client)
            var r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/resume", token: alice)
            #expect(r.status == 409)
            #expect(r.text == #"{"message":"Task workspace is already running.","detail":"Workspace status is \"running\"."}"# + "\n")
            r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/pause", token: alice)
            #expect(r.status == 202)
            var build = try #require(r.object["workspace_build"] as? [String: Any])
            #expect(build["transition"] as? String == "stop" && build["build_number"] as? Int == 2)
            #expect(build["reason"] as? String == "task_manual_pause" && build["status"] as? String == "pending")
            #expect(build["workspace_id"] as? String == task.workspaceID && build["id"] is String && build["job"] is [String: Any])
            #expect(build["ai_task_sidebar_app_id"] == nil && build["has_ai_task"] != nil && build["initiator_id"] is String)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object["status"] as? String == "unknown")
            r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/pause", token: alice)
            #expect(r.status == 409 && r.object["message"] as? String == "A workspace build is already active.")
            r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/resume", token: alice)
            #expect(r.status == 409)
            #expect(r.text == #"{"message":"A workspace build is already active.","detail":"A workspace build is already active."}"# + "\n")
            try await f.finishBuild(task.workspaceID)
            var got = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object
            #expect(got["status"] as? String == "paused" && got["workspace_status"] as? String == "stopped")
            #expect(got["workspace_agent_id"] is NSNull && got["workspace_build_number"] as? Int == 2)

            r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/resume", token: alice)
            #expect(r.status == 202)
            build = try #require(r.object["workspace_build"] as? [String: Any])
            #expect(build["transition"] as? String == "start" && build["build_number"] as? Int == 3)
            #expect(build["reason"] as? String == "task_resume")
            got = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object
            #expect(got["status"] as? String == "pending" && got["current_state"] is NSNull)
            _ = try await f.db.startJob(id: try #require(try await f.latestJob(task.workspaceID)))
            got = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object
            #expect(got["status"] as? String == "initializing")
            let synthetic = try #require(got["current_state"] as? [String: Any])
            #expect(synthetic["state"] as? String == "working" && synthetic["message"] as? String == "Workspace is starting")
            try await f.finishBuild(task.workspaceID)
            got = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object
            #expect(got["workspace_status"] as? String == "running" && got["workspace_build_number"] as? Int == 3)
        }
    }

    /// §9.1 #2: a paused task keeps showing the agent's last report; after a start the old
    /// report is hidden behind a synthetic `working` entry until the agent reports again.
    @Test func currentStateAcrossPauseAndResume() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .active, token: alice, client: client)
            let agent = try await f.agentToken(task.workspaceID)
            let report = try await client.call(
                .patch, "/api/v2/workspaceagents/me/app-status", token: agent,
                json: #"{"app_slug":"task-sidebar","state":"complete","message":"all done"}"#)
            #expect(report.status == 200)
            _ = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/pause", token: alice)
            try await f.finishBuild(task.workspaceID)
            var state = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object["current_state"] as? [String: Any]
            #expect(state?["state"] as? String == "complete" && state?["message"] as? String == "all done")
            _ = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/resume", token: alice)
            _ = try await f.db.startJob(id: try #require(try await f.latestJob(task.workspaceID)))
            state = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object["current_state"] as? [String: Any]
            #expect(state?["state"] as? String == "working" && state?["message"] as? String != "all done")
        }
    }

    @Test func pausingAPausedTaskMakesAnotherStopBuild() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .paused, token: alice, client: client)
            let r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/pause", token: alice)
            #expect(r.status == 202 && (r.object["workspace_build"] as? [String: Any])?["build_number"] as? Int == 3)
        }
    }

    @Test func resumeWritesTheEditedPromptIntoTheStartBuild() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .paused, token: alice, client: client)
            _ = try await client.call(.patch, "/api/v2/tasks/me/\(task.id)/input", token: alice, json: #"{"input":"new prompt"}"#)
            #expect(try await client.call(.post, "/api/v2/tasks/me/\(task.id)/resume", token: alice).status == 202)
            let prompt = try await f.db.pool.read { db in
                try String.fetchOne(db, sql: """
                    SELECT p.value FROM workspace_build_parameters p JOIN workspace_builds b ON b.id = p.workspace_build_id
                    WHERE b.workspace_id = ? AND b.build_number = 3 AND p.name = 'AI Prompt'
                    """, arguments: [task.workspaceID])
            }
            #expect(prompt == "new prompt")
        }
    }

    @Test func pauseAndResumeAccessByRole() async throws {
        try await withServer { f, client, alice, bob in
            let (_, boss) = try f.user("boss", roles: [.owner])
            let (_, oadmin) = try f.user("oadmin")
            try await f.db.pool.write { db in
                try db.execute(sql: "INSERT INTO organization_member_roles SELECT organization_id, user_id, 'organization-admin' FROM organization_members WHERE user_id = (SELECT id FROM users WHERE username = 'oadmin')")
            }
            let (_, tadmin) = try f.user("tadmin", roles: [.templateAdmin])
            for (token, want) in [(bob, 404), (tadmin, 404), (oadmin, 202), (boss, 202)] {
                let task = try await f.task(in: .active, token: alice, client: client)
                let r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/pause", token: token)
                #expect(r.status == want, "\(r.text)")
            }
            #expect(try await client.call(.post, "/api/v2/tasks/me/\(UUID().uuidString)/pause", token: alice).status == 404)
            #expect(try await client.call(.post, "/api/v2/tasks/me/\(UUID().uuidString)/resume", token: alice).status == 404)
        }
    }

    @Test func taskWithoutAWorkspaceCannotBePausedOrResumed() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .paused, token: alice, client: client)
            try await f.db.pool.write { db in
                try db.execute(sql: "UPDATE tasks SET workspace_id = NULL WHERE id = ?", arguments: [task.id])
            }
            for action in ["pause", "resume"] {
                let r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/\(action)", token: alice)
                #expect(r.status == 500 && r.text == #"{"message":"Task does not have a workspace."}"# + "\n")
            }
            let got = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice)
            #expect(got.status == 500 && got.text == #"{"message":"Internal error fetching task.","detail":"Task workspace ID is invalid."}"# + "\n")
            let list = try await client.call(.get, "/api/v2/tasks", token: alice)
            #expect((list.object["tasks"] as? [[String: Any]])?.first?["status"] as? String == "pending")
        }
    }

    /// §9.3: the status per build, agent and app state.
    @Test func statusViewFollowsBuildAgentAndApp() async throws {
        try await withServer { f, client, alice, _ in
            func status(_ task: V2Task) async throws -> TaskStatus? { try await f.db.task(id: task.id)?.status }
            let task = try await f.task(in: .pending, token: alice, client: client)
            let job = try #require(try await f.latestJob(task.workspaceID))
            _ = try await f.db.startJob(id: job)
            #expect(try await status(task) == .initializing, "RunningStart")
            try await f.finishBuild(task.workspaceID)
            let row = try #require(try await f.db.task(id: task.id))
            let appID = try #require(row.appID), agentID = try #require(row.agentID)
            for (lifecycle, health, want) in [
                ("ready", "healthy", TaskStatus.active), ("ready", "disabled", .active), ("ready", "unhealthy", .error),
                ("ready", "initializing", .initializing), ("created", "healthy", .initializing), ("starting", "healthy", .initializing),
                ("start_timeout", "healthy", .active), ("start_error", "healthy", .active), ("shutting_down", "healthy", .unknown),
                ("off", "healthy", .unknown),
            ] {
                try await f.db.pool.write { db in
                    try db.execute(sql: "UPDATE workspace_agents SET lifecycle_state = ? WHERE id = ?", arguments: [lifecycle, agentID])
                    try db.execute(sql: "UPDATE workspace_apps SET health = ? WHERE id = ?", arguments: [health, appID])
                }
                #expect(try await status(task) == want, "\(lifecycle)/\(health)")
            }
            let failed = try await f.task(in: .pending, token: alice, client: client, name: "failed-build")
            try await f.finishBuild(failed.workspaceID, error: "boom")
            #expect(try await status(failed) == .error, "FailedBuild")
            let canceled = try await f.task(in: .pending, token: alice, client: client, name: "canceled-build")
            let build = try #require(try await f.db.workspaceView(id: canceled.workspaceID)?.build?.id)
            try await f.db.cancelBuild(id: build)
            #expect(try await status(canceled) == .error, "CancelingBuild")
        }
    }

    /// §9.2, one row per case of Coder's unit test.
    @Test func currentStateDerivation() {
        let start = WorkspaceView.Build(
            id: "b", number: 2, transition: .start, createdAt: "2026-03-01T10:00:00.000000Z", templateVersionID: "v",
            hasAITask: true, sidebarAppID: nil, jobID: "j", jobStatus: .succeeded)
        var stop = start
        stop.transition = .stop
        var pending = start
        pending.jobStatus = .pending
        var starting = start
        starting.jobStatus = .running
        let newer = WorkspaceView.AppStatus(createdAt: "2026-03-01T10:00:01.000000Z", state: .failure, message: "oops", uri: nil)
        let older = WorkspaceView.AppStatus(createdAt: "2026-03-01T09:00:00.000000Z", state: .complete, message: "all done", uri: "u")
        func derive(_ s: WorkspaceView.AppStatus?, _ b: WorkspaceView.Build, _ status: TaskStatus, _ l: String?, _ h: String? = nil) -> TaskStateEntry? {
            TaskCurrentState.derive(
                appStatus: s, latestBuild: b, status: status, agentLifecycle: l.map { AgentLifecycleState(rawValue: $0)! },
                appHealth: h.map { AppHealth(rawValue: $0)! })
        }
        #expect(derive(nil, start, .active, "ready") == nil, "NoAppStatus")
        #expect(derive(newer, start, .active, "ready") == TaskStateEntry(timestamp: newer.createdAt, state: "failed", message: "oops", uri: ""))
        #expect(derive(older, start, .active, "ready") == nil, "StaleAppStatus_OlderThanBuild")
        #expect(derive(older, stop, .paused, nil) == TaskStateEntry(timestamp: older.createdAt, state: "complete", message: "all done", uri: "u"))
        let synthetic: [(WorkspaceView.Build, String?, String?, String)] = [
            (pending, nil, nil, "Workspace is pending"), (starting, nil, nil, "Workspace is starting"),
            (start, "created", nil, "Agent is connecting"), (start, "starting", nil, "Agent is starting"),
            (start, "ready", "initializing", "App is initializing"), (start, nil, nil, "Initializing workspace"),
        ]
        for (build, lifecycle, health, message) in synthetic {
            #expect(derive(older, build, .initializing, lifecycle, health)
                    == TaskStateEntry(timestamp: start.createdAt, state: "working", message: message, uri: ""), "\(message)")
        }
    }
}
