import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import TaskboxCore

/// The whole router on a free loopback port, for `.test(.live)`: real HTTP, real SQLite.
func liveApplication(_ db: AppDatabase) -> some ApplicationProtocol {
    var logger = Logger(label: "taskbox-test")
    logger.logLevel = .warning
    return Application(
        router: buildRouter(database: db, accessURL: AccessURL("http://127.0.0.1:3000")),
        configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
}

/// A v2 task as created through the API.
struct V2Task {
    var id: String
    var workspaceID: String
    var name: String
}

extension TestClientProtocol {
    func createTaskV2(
        _ token: String, version: String, input: String = "do work", name: String? = nil, displayName: String? = nil,
        user: String = "me"
    ) async throws -> (status: Int, text: String, object: [String: Any]) {
        var body = ["template_version_id": version, "input": input]
        if let name { body["name"] = name }
        if let displayName { body["display_name"] = displayName }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await call(.post, "/api/v2/tasks/\(user)", token: token, json: json)
    }
}

extension TaskFixture {
    /// tasks-v2.md §9 `createTaskInState`: a task made through the API, then moved to
    /// `status` the way the provisioner and the supervisor would.
    func task(
        in status: TaskStatus, token: String, client: some TestClientProtocol, name: String? = nil, input: String = "do work"
    ) async throws -> V2Task {
        let created = try await client.createTaskV2(token, version: aiVersionID, input: input, name: name)
        #expect(created.status == 201, "\(created.text)")
        let task = V2Task(
            id: try #require(created.object["id"] as? String), workspaceID: try #require(created.object["workspace_id"] as? String),
            name: try #require(created.object["name"] as? String))
        switch status {
        case .pending:
            break
        case .initializing:
            let job = try #require(try await latestJob(task.workspaceID))
            _ = try await db.startJob(id: job)
        case .active, .error, .paused, .unknown:
            try await finishBuild(task.workspaceID)
            let appID = try #require(try await db.task(id: task.id)?.appID)
            try await db.setAppHealth(appID, status == .error ? .unhealthy : .healthy)
            if status == .paused || status == .unknown {
                try await db.createBuild(workspaceID: task.workspaceID, transition: .stop, initiatorID: try ownerID(task))
                if status == .paused { try await finishBuild(task.workspaceID) }
            }
        }
        #expect(try await db.task(id: task.id)?.status == status)
        return task
    }

    func ownerID(_ task: V2Task) async throws -> String {
        try #require(try await db.task(id: task.id)?.ownerID)
    }

    func latestJob(_ workspaceID: String) async throws -> String? {
        try await db.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT job_id FROM workspace_builds WHERE workspace_id = ? ORDER BY build_number DESC LIMIT 1",
                arguments: [workspaceID])
        }
    }

    /// Stores a snapshot envelope as written, for the decoding cases of tasks-v2.md §3.7.
    func storeRawSnapshot(_ taskID: String, _ json: String, at time: String = "2026-03-01T11:02:03.456789Z") async throws {
        try await db.pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO task_snapshots (task_id, log_snapshot, log_snapshot_created_at) VALUES (?, ?, ?)",
                arguments: [taskID, json, time])
        }
    }

    /// The agent token of the workspace's latest build.
    func agentToken(_ workspaceID: String) async throws -> String {
        try db.agentToken(workspaceID: workspaceID, agentName: nil).token
    }
}

/// The two-message snapshot of Coder's `LogsWithSnapshot` tests.
let twoMessageSnapshot = #"""
    {"format":"agentapi","data":{"messages":[
      {"id":0,"content":"First message","role":"agent","time":"2026-03-01T11:00:00Z"},
      {"id":1,"content":"Second message","role":"user","time":"2026-03-01T11:01:00Z"}]}}
    """#

/// A real database with the task fixture, users alice and bob, and the router on a free
/// loopback port.
func withV2Server(
    _ dir: TestDirectory, appURL: String = "http://127.0.0.1:{port}",
    _ body: @escaping @Sendable (TaskFixture, any TestClientProtocol, _ alice: String, _ bob: String) async throws -> Void
) async throws {
    let db = try dir.openDatabase()
    let f = try TaskFixture(db: db, appURL: appURL)
    let (_, alice) = try f.user("alice")
    let (_, bob) = try f.user("bob")
    try await liveApplication(db).test(.live) { client in try await body(f, client, alice, bob) }
}

/// Tokens for every caller of the authorization matrices (tasks-api.md §9.3): alice owns the
/// tasks; the others are a site owner, another member, an admin of her organization, an admin
/// of another one, a template admin, an auditor, a suspended user and an expired token.
func matrixCallerTokens(_ f: TaskFixture) async throws -> [AuthorizationMatrixTests.Caller: String] {
    let db = f.db
    var tokens: [AuthorizationMatrixTests.Caller: String] = [:]
    tokens[.taskOwner] = try f.user("alice").token
    tokens[.owner] = try f.user("boss", roles: [.owner]).token
    tokens[.otherMember] = try f.user("bob").token
    tokens[.orgAdmin] = try f.user("oadmin").token
    try await db.pool.write { db in
        try db.execute(sql: "INSERT INTO organization_member_roles SELECT organization_id, user_id, 'organization-admin' FROM organization_members WHERE user_id = (SELECT id FROM users WHERE username = 'oadmin')")
    }
    tokens[.otherOrgAdmin] = try f.user("acmeadmin").token
    _ = try db.createOrganization(name: "acme")
    _ = try db.addMember(organization: "acme", user: "acmeadmin", roles: [.organizationAdmin])
    tokens[.templateAdmin] = try f.user("tadmin", roles: [.templateAdmin]).token
    tokens[.auditor] = try f.user("audit", roles: [.auditor]).token
    tokens[.suspended] = try f.user("gone").token
    _ = try db.setUserStatus("gone", .suspended)
    tokens[.expired] = try f.user("late").token
    try await db.pool.write { db in
        try db.execute(sql: "UPDATE api_keys SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE user_id = (SELECT id FROM users WHERE username = 'late')")
    }
    return tokens
}

/// A fake agentapi, a fixture whose task app points at it, and every matrix caller's token.
func withMatrixFixture(
    _ body: @escaping @Sendable (TaskFixture, [AuthorizationMatrixTests.Caller: String]) async throws -> Void
) async throws {
    let fake = FakeAgentAPI()
    let dir = TestDirectory()
    try await fake.application().test(.live) { fakeClient in
        let port = try #require(fakeClient.port)
        let f = try TaskFixture(db: try dir.openDatabase(), appURL: "http://127.0.0.1:\(port)")
        try await body(f, try await matrixCallerTokens(f))
    }
}
