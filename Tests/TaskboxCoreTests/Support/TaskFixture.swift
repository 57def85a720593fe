import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
@testable import TaskboxCore

/// Users, templates and tasks on a real SQLite file, driven through the router.
struct TaskFixture {
    let db: AppDatabase
    let aiVersionID: String
    let aiTemplateID: String
    let plainVersionID: String

    /// The template of tasks-api.md §10: an `AI Prompt` string parameter, one agent with the
    /// app `task-sidebar`, and that app as the AI task's sidebar app.
    static func aiManifest(name: String = "ai-template", appURL: String = "http://127.0.0.1:{port}", extraParameters: String = "") -> String {
        """
        {"name":"\(name)","display_name":"AI Template","icon":"/icon/ai.svg",
         "parameters":[{"name":"AI Prompt","type":"string","default":""}\(extraParameters)],
         "presets":[{"name":"fast","parameters":{"AI Prompt":"from preset"}}],
         "agents":[{"name":"example","apps":[{"slug":"task-sidebar","display_name":"Task Sidebar","url":"\(appURL)"}]}],
         "ai_task":{"app":"task-sidebar"}}
        """
    }

    static let plainManifest = """
        {"name":"plain","agents":[{"name":"main","apps":[{"slug":"web","url":"http://127.0.0.1:{port}"}]}]}
        """

    init(db: AppDatabase, organization: String? = nil, appURL: String = "http://127.0.0.1:{port}") throws {
        self.db = db
        let ai = try db.pushTemplate(manifestData: Data(Self.aiManifest(appURL: appURL).utf8), organization: organization)
        aiVersionID = ai.template_version_id
        aiTemplateID = ai.template_id
        plainVersionID = try db.pushTemplate(manifestData: Data(Self.plainManifest.utf8), organization: organization).template_version_id
    }

    @discardableResult
    func user(_ name: String, roles: [SiteRole] = []) throws -> (user: UserRecord, token: String) {
        try Fixture(db: db).user(name, roles: roles)
    }

    /// Runs a workspace's pending job the way the provisioner does, without processes.
    func finishBuild(_ workspaceID: String, error: String? = nil) async throws {
        let jobID = try await db.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT job_id FROM workspace_builds WHERE workspace_id = ? ORDER BY build_number DESC LIMIT 1",
                arguments: [workspaceID])
        }
        let job = try #require(jobID)
        _ = try await db.startJob(id: job)
        let applied = try await db.applyBuild(jobID: job, ports: { 40000 })
        // As the supervisor does once the build's processes are up.
        try await db.setAgentLifecycle(applied.agents.map(\.id), .ready, connected: true)
        try await db.completeJob(id: job, error: error)
    }

    /// A non-task workspace, created and built.
    func plainWorkspace(owner: UserRecord, name: String = "plain-ws") async throws -> String {
        let version = try #require(try await db.templateVersionInfo(id: plainVersionID))
        let id = try await db.createWorkspace(
            NewWorkspace(name: name, ownerID: owner.id, organizationID: version.organizationID, templateID: version.templateID!,
                         templateVersionID: plainVersionID, presetID: nil, parameters: [], initiatorID: owner.id, audit: nil))
        try await finishBuild(id)
        return id
    }
}

/// JSON request helpers over HummingbirdTesting's client.
extension TestClientProtocol {
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil
    ) async throws -> (status: Int, text: String, object: [String: Any]) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            (Int($0.status.code), $0.text, $0.object)
        }
    }

    func createTask(_ token: String, version: String, input: String = "do work", name: String? = nil, user: String = "me")
        async throws -> (status: Int, text: String, object: [String: Any]) {
        var body = ["template_version_id": version, "input": input]
        if let name { body["name"] = name }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await call(.post, "/api/experimental/tasks/\(user)", token: token, json: json)
    }
}
