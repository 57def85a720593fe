import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// tasks-v2.md §3.2 and §9.1 #38–#45 (`TestTasksCreate`), #1 (`TestTasks/List`), over real HTTP.
@Suite(.timeLimit(.minutes(2))) struct TasksV2CreateTests {
    let dir = TestDirectory()

    func withServer(_ body: @escaping @Sendable (TaskFixture, any TestClientProtocol, String) async throws -> Void) async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await liveApplication(db).test(.live) { client in try await body(f, client, token) }
    }

    @Test func createAnswersThePendingTaskInCodersKeyOrder() async throws {
        try await withServer { f, client, token in
            let r = try await client.createTaskV2(token, version: f.aiVersionID, input: "Add authentication to the user service")
            #expect(r.status == 201)
            let keys = ["id", "organization_id", "owner_id", "owner_name", "name", "display_name", "template_id",
                        "template_version_id", "template_name", "template_display_name", "template_icon", "workspace_id",
                        "workspace_name", "workspace_status", "workspace_build_number", "workspace_agent_id",
                        "workspace_agent_lifecycle", "workspace_agent_health", "workspace_app_id", "initial_prompt", "status",
                        "current_state", "created_at", "updated_at"]
            let positions = keys.map { r.text.range(of: "\"\($0)\":")?.lowerBound }
            #expect(!positions.contains(nil), "\(r.text)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "keys out of order: \(r.text)")
            let o = r.object
            let name = try #require(o["name"] as? String)
            #expect(name.hasPrefix("add-authentication-to-the-") && name.count == "add-authentication-to-the-".count + 4)
            #expect(o["display_name"] as? String == "Add authentication to the user service")
            #expect(o["workspace_name"] as? String == name)
            #expect(o["id"] as? String != o["workspace_id"] as? String)
            #expect(o["status"] as? String == "pending")
            #expect(o["workspace_status"] as? String == "pending")
            #expect(o["workspace_build_number"] as? Int == 1)
            #expect(o["workspace_agent_id"] is NSNull && o["workspace_app_id"] is NSNull && o["current_state"] is NSNull)
            #expect(o["template_version_id"] as? String == f.aiVersionID)
            #expect(o["template_id"] as? String == f.aiTemplateID)
            #expect(o["owner_name"] as? String == "alice")
            #expect(o["owner_avatar_url"] == nil, "omitted when empty")
            #expect(o["initial_prompt"] as? String == "Add authentication to the user service")
        }
    }

    @Test func createWithoutAnAIPromptParameterSendsNoBuildParameters() async throws {
        try await withServer { f, client, token in
            let manifest = #"{"name":"bare","agents":[{"name":"a","apps":[{"slug":"app","url":"http://127.0.0.1:{port}"}]}],"ai_task":{"app":"app"}}"#
            let version = try f.db.pushTemplate(manifestData: Data(manifest.utf8), organization: nil).template_version_id
            let r = try await client.createTaskV2(token, version: version, input: "build me a web app")
            #expect(r.status == 201)
            let workspaceID = try #require(r.object["workspace_id"] as? String)
            let count = try await f.db.pool.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM workspace_build_parameters p JOIN workspace_builds b ON b.id = p.workspace_build_id
                    WHERE b.workspace_id = ?
                    """, arguments: [workspaceID])
            }
            #expect(count == 0)
        }
    }

    struct NameCase: Sendable, CustomTestStringConvertible {
        var label: String
        var name: String?
        var displayName: String?
        var status: Int
        var expectedName: String?
        var expectedDisplayName: String?
        var message: String?
        var testDescription: String { label }
    }

    static let nameCases: [NameCase] = [
        .init(label: "ValidName", name: "a-valid-task-name", status: 201, expectedName: "a-valid-task-name"),
        .init(label: "NotValidName", name: "this is not a valid task name", status: 400,
              message: "Unable to create a Task with the provided name."),
        .init(label: "NoNameProvided", status: 201),
        .init(label: "ValidDisplayName", displayName: "  A valid display name  ", status: 201, expectedDisplayName: "A valid display name"),
        .init(label: "NotValidDisplayName", displayName: String(repeating: "x", count: 69), status: 400,
              message: "Display name must be 64 characters or less."),
        .init(label: "NoDisplayNameProvided", name: "named-task", status: 201, expectedName: "named-task"),
        .init(label: "ValidNameAndDisplayName", name: "both-given", displayName: "Both given", status: 201,
              expectedName: "both-given", expectedDisplayName: "Both given"),
        .init(label: "NoNameAndDisplayNameProvided", status: 201),
    ]

    @Test(arguments: nameCases)
    func customNames(_ c: NameCase) async throws {
        try await withServer { f, client, token in
            let r = try await client.createTaskV2(token, version: f.aiVersionID, input: "Fix the login page", name: c.name, displayName: c.displayName)
            #expect(r.status == c.status, "\(r.text)")
            if let message = c.message {
                #expect(r.object["message"] as? String == message)
                #expect(try await f.db.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM tasks") } == 0)
                return
            }
            let name = try #require(r.object["name"] as? String)
            let display = try #require(r.object["display_name"] as? String)
            #expect(name == (c.expectedName ?? name) && NameValidator.validate(name) == nil)
            #expect(c.expectedName != nil || name.hasPrefix("fix-the-login-page-"))
            #expect(display == (c.expectedDisplayName ?? "Fix the login page"))
        }
    }

    @Test func emptyPromptGetsRandomWordNames() async throws {
        try await withServer { f, client, token in
            let r = try await client.createTaskV2(token, version: f.aiVersionID, input: "")
            #expect(r.status == 201)
            let name = try #require(r.object["name"] as? String)
            #expect(name.range(of: #"^[a-z]+-[a-z]+-[0-9a-f]{4}$"#, options: .regularExpression) != nil, "\(name)")
            let display = try #require(r.object["display_name"] as? String)
            #expect(display.first?.isUppercase == true && display.contains(" "))
        }
    }

    @Test func nonTaskAndUnknownVersionsAre400() async throws {
        try await withServer { f, client, token in
            var r = try await client.createTaskV2(token, version: f.plainVersionID)
            #expect(r.status == 400 && r.text == #"{"message":"Template does not have a valid \"coder_ai_task\" resource."}"# + "\n")
            r = try await client.createTaskV2(token, version: UUID().uuidString.lowercased())
            #expect(r.status == 400 && r.text == #"{"message":"Template version not found or you do not have access to this resource"}"# + "\n")
            r = try await client.call(.post, "/api/v2/tasks/me", token: token, json: #"{"input":"x"}"#)
            #expect(r.status == 400 && r.object["message"] as? String == "Template version not found or you do not have access to this resource")
            r = try await client.call(.post, "/api/v2/tasks/me", token: token, json: "{")
            #expect(r.status == 400 && r.object["message"] as? String == "Request body must be valid JSON.")
            r = try await client.createTaskV2(token, version: f.aiVersionID, user: "nobody-here")
            #expect(r.status == 404 && r.text == #"{"message":"Resource not found or you do not have access to this resource"}"# + "\n")
        }
    }

    @Test func oversizedBodiesAre413WithCodersWording() async throws {
        try await withServer { f, client, token in
            let big = #"{"template_version_id":"\#(f.aiVersionID)","input":""# + String(repeating: "x", count: 1 << 20) + #""}"#
            let r = try await client.call(.post, "/api/v2/tasks/me", token: token, json: big)
            #expect(r.status == 413)
            #expect(r.text == #"{"message":"Request body too large.","detail":"Maximum request body size is 1048576 bytes."}"# + "\n")
            #expect(try await f.db.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM tasks") } == 0)
        }
    }

    @Test func taskRowIsCreatedAndLinkedToItsWorkspace() async throws {
        try await withServer { f, client, token in
            let r = try await client.createTaskV2(token, version: f.aiVersionID, input: "linked", name: "my-custom-task")
            let id = try #require(r.object["id"] as? String)
            let row = try #require(try await f.db.task(id: id))
            #expect(row.name == "my-custom-task" && row.prompt == "linked" && row.templateVersionID == f.aiVersionID)
            #expect(row.ownerID == r.object["owner_id"] as? String && row.organizationID == r.object["organization_id"] as? String)
            let workspaceID = try #require(row.workspaceID)
            #expect(try await f.db.task(workspaceID: workspaceID)?.id == id)
            let workspace = try await client.call(.get, "/api/v2/workspaces/\(workspaceID)", token: token)
            #expect(workspace.object["task_id"] as? String == id)
        }
    }

    @Test func duplicateNameIsTheWorkspaceConflict() async throws {
        try await withServer { f, client, token in
            #expect(try await client.createTaskV2(token, version: f.aiVersionID, name: "task-1").status == 201)
            let r = try await client.createTaskV2(token, version: f.aiVersionID, name: "TASK-1")
            #expect(r.status == 409)
            #expect(r.text == #"{"message":"Workspace \"TASK-1\" already exists.","validations":[{"field":"name","detail":"This value is already in use and should be unique."}]}"# + "\n")
        }
    }

    @Test func multipleTasksAreListedNewestFirstWithCodersCount() async throws {
        try await withServer { f, client, token in
            _ = try await client.createTaskV2(token, version: f.aiVersionID, input: "build me a web app", name: "task-1")
            try await Task.sleep(for: .milliseconds(5))
            _ = try await client.createTaskV2(token, version: f.aiVersionID, name: "task-2")
            let r = try await client.call(.get, "/api/v2/tasks?q=" + "owner:\"me\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, token: token)
            #expect(r.status == 200)
            let tasks = try #require(r.object["tasks"] as? [[String: Any]])
            #expect(tasks.map { $0["name"] as? String } == ["task-2", "task-1"])
            #expect(r.object["count"] as? Int == 2)
            let first = tasks[1]
            #expect(first["initial_prompt"] as? String == "build me a web app")
            #expect(first["workspace_name"] as? String == "task-1" && first["workspace_id"] is String)
            #expect((first["status"] as? String)?.isEmpty == false && (first["workspace_status"] as? String)?.isEmpty == false)
        }
    }

    @Test func taskKeepsTheVersionItWasCreatedFrom() async throws {
        try await withServer { f, client, token in
            let old = f.aiVersionID
            _ = try f.db.pushTemplate(manifestData: Data(TaskFixture.aiManifest().utf8), organization: nil)
            let r = try await client.createTaskV2(token, version: old)
            #expect(r.status == 201 && r.object["template_version_id"] as? String == old)
        }
    }

    @Test func tasksCreatedThroughTheExperimentalAPIAppearInV2() async throws {
        try await withServer { f, client, token in
            let old = try await client.createTask(token, version: f.aiVersionID, input: "from an old client")
            #expect(old.status == 201)
            let r = try await client.call(.get, "/api/v2/tasks", token: token)
            let tasks = try #require(r.object["tasks"] as? [[String: Any]])
            #expect(tasks.count == 1)
            #expect(tasks.first?["workspace_id"] as? String == old.object["id"] as? String)
            #expect(tasks.first?["initial_prompt"] as? String == "from an old client")
            #expect(tasks.first?["display_name"] as? String == "From an old client")
        }
    }
}
