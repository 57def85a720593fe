import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import TaskboxCore

/// `POST /api/experimental/tasks/{user}` (tasks-api.md §1.2, §10 #16–#21).
@Suite struct TasksCreateTests {
    let dir = TestDirectory()

    @Test func createReturnsPendingTaskWithPromptParameterAndAudit() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let r = try await client.createTask(token, version: f.aiVersionID, input: "Some task prompt")
            #expect(r.status == 201, "\(r.text)")
            let task = r.object
            let id = try #require(task["id"] as? String)
            #expect(task["workspace_id"] as? String == id)
            #expect(task["owner_id"] as? String == alice.id)
            #expect(task["owner_name"] as? String == "alice")
            #expect(task["template_id"] as? String == f.aiTemplateID)
            #expect(task["template_name"] as? String == "ai-template")
            #expect(task["template_display_name"] as? String == "AI Template")
            #expect(task["template_icon"] as? String == "/icon/ai.svg")
            #expect(task["status"] as? String == "pending")
            #expect(task["initial_prompt"] as? String == "Some task prompt")
            #expect(task["workspace_build_number"] as? Int == 1)
            for key in ["workspace_agent_id", "workspace_agent_lifecycle", "workspace_agent_health", "workspace_app_id", "current_state"] {
                #expect(task[key] is NSNull, "\(key) should be null")
            }
            let created = try #require(task["created_at"] as? String)
            #expect(created.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil)
            // Keys in Coder's order.
            let keys = ["id", "organization_id", "owner_id", "owner_name", "name", "template_id", "template_name",
                        "template_display_name", "template_icon", "workspace_id", "workspace_build_number",
                        "workspace_agent_id", "workspace_agent_lifecycle", "workspace_agent_health", "workspace_app_id",
                        "initial_prompt", "status", "current_state", "created_at", "updated_at"]
            let positions = keys.map { r.text.range(of: "\"\($0)\":")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())

            let name = try #require(task["name"] as? String)
            try await db.pool.read { db in
                let params = try Row.fetchAll(db, sql: """
                    SELECT p.name, p.value FROM workspace_build_parameters p JOIN workspace_builds b ON b.id = p.workspace_build_id
                    WHERE b.workspace_id = ?
                    """, arguments: [id])
                #expect(params.count == 1)
                #expect(params.first?["name"] == "AI Prompt")
                #expect(params.first?["value"] == "Some task prompt")
                let build = try #require(try Row.fetchOne(db, sql: """
                    SELECT b.transition, b.reason, b.initiator_id, j.job_status FROM workspace_builds b
                    JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.workspace_id = ?
                    """, arguments: [id]))
                #expect(build["transition"] == "start" && build["reason"] == "initiator")
                #expect(build["initiator_id"] == alice.id && build["job_status"] == "pending")
                let audit = try #require(try Row.fetchOne(db, sql: "SELECT * FROM audit_logs WHERE resource_id = ?", arguments: [id]))
                #expect(audit["action"] == "create" && audit["resource_type"] == "workspace")
                #expect(audit["status_code"] == 201 && audit["user_id"] == alice.id)
                // Byte-exact, keys sorted as Go writes a map.
                #expect(audit["additional_fields"] as String == """
                    {"build_number":"","build_reason":"","workspace_id":"00000000-0000-0000-0000-000000000000",\
                    "workspace_name":"","workspace_owner":"alice"}
                    """)
                #expect(audit["diff"] as String == """
                    {"automatic_updates":{"New":"never","Old":"","Secret":false},"id":{"New":"\(id)","Old":"","Secret":false},\
                    "name":{"New":"\(name)","Old":"","Secret":false},"owner_id":{"New":"\(alice.id)","Old":"","Secret":false},\
                    "template_id":{"New":"\(f.aiTemplateID)","Old":"","Secret":false}}
                    """)
            }
            try await f.finishBuild(id)
            let got = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(got.object["status"] as? String == "running")
            #expect(got.object["workspace_agent_lifecycle"] as? String == "ready")
            #expect(got.object["workspace_app_id"] is String)
        }
    }

    @Test func customAndGeneratedNames() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let valid = try await client.createTask(token, version: f.aiVersionID, name: "a-valid-task-name")
            #expect(valid.status == 201)
            #expect(valid.object["name"] as? String == "a-valid-task-name")

            let invalid = try await client.createTask(token, version: f.aiVersionID, name: "this is not a valid task name")
            #expect(invalid.status == 400)
            #expect(invalid.object["message"] as? String == "Unable to create a Task with the provided name.")
            #expect(invalid.object["detail"] as? String == "must be alphanumeric with hyphens")

            let generated = try await client.createTask(token, version: f.aiVersionID)
            #expect(generated.status == 201)
            let name = try #require(generated.object["name"] as? String)
            #expect(NameValidator.validate(name) == nil)
            #expect(name.hasPrefix("task-"))

            let duplicate = try await client.createTask(token, version: f.aiVersionID, name: "A-VALID-task-name")
            #expect(duplicate.status == 409)
            #expect(duplicate.object["message"] as? String == "Workspace \"A-VALID-task-name\" already exists.")
            #expect(duplicate.text.contains(#""validations":[{"field":"name","detail":"This value is already in use and should be unique."}]"#), "\(duplicate.text)")
        }
    }

    @Test func failsOnNonTaskTemplateAndUnknownVersion() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let plain = try await client.createTask(token, version: f.plainVersionID)
            #expect(plain.status == 400)
            #expect(plain.text == "{\"message\":\"Template does not have required parameter \\\"AI Prompt\\\"\"}\n")
            let unknown = try await client.createTask(token, version: UUID().uuidString)
            #expect(unknown.status == 404)
            #expect(unknown.object["message"] as? String == CoderText.resourceNotFound)
            let missing = try await client.call(.post, "/api/experimental/tasks/me", token: token, json: #"{"input":"x"}"#)
            #expect(missing.status == 404)
        }
    }

    @Test(arguments: [
        ("", "EOF"),
        ("{", nil),
        (#"{"input": 5}"#, "json: cannot unmarshal number into Go struct field CreateTaskRequest.input of type string"),
        (#"{"template_version_id":"abc"}"#, "invalid UUID length: 3"),
        (#"[1,2]"#, "json: cannot unmarshal array into Go value of type codersdk.CreateTaskRequest"),
    ] as [(String, String?)])
    func malformedBodiesAre400WithDecoderDetail(body: String, detail: String?) async throws {
        let db = try dir.openDatabase()
        let (_, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            let r = try await client.call(.post, "/api/experimental/tasks/me", token: token, json: body)
            #expect(r.status == 400)
            #expect(r.object["message"] as? String == "Request body must be valid JSON.")
            if let detail { #expect(r.object["detail"] as? String == detail) }
        }
    }

    @Test func keysMatchCaseInsensitivelyAndUnknownKeysAreIgnored() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let body = #"{"Template_Version_ID":"\#(f.aiVersionID)","INPUT":"hi","extra":{"x":[1]},"Name":"cased"}"#
            let r = try await client.call(.post, "/api/experimental/tasks/me", token: token, json: body)
            #expect(r.status == 201, "\(r.text)")
            #expect(r.object["initial_prompt"] as? String == "hi")
            #expect(r.object["name"] as? String == "cased")
        }
    }

    @Test func presetValuesWinAndParametersAreValidated() async throws {
        let db = try dir.openDatabase()
        let extra = #",{"name":"region","type":"string","default":"eu","options":["eu","us"]}"#
        let pushed = try db.pushTemplate(manifestData: Data(TaskFixture.aiManifest(name: "regional", extraParameters: extra).utf8))
        let preset = try await db.pool.read {
            try String.fetchOne($0, sql: "SELECT id FROM template_version_presets WHERE template_version_id = ?",
                                arguments: [pushed.template_version_id])
        }
        let (_, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            let body = #"{"template_version_id":"\#(pushed.template_version_id)","template_version_preset_id":"\#(preset!)","input":"mine"}"#
            let r = try await client.call(.post, "/api/experimental/tasks/me", token: token, json: body)
            #expect(r.status == 201, "\(r.text)")
            #expect(r.object["initial_prompt"] as? String == "mine")
            let id = try #require(r.object["id"] as? String)
            let stored = try await db.pool.read {
                try Row.fetchAll($0, sql: """
                    SELECT p.name, p.value FROM workspace_build_parameters p JOIN workspace_builds b ON b.id = p.workspace_build_id
                    WHERE b.workspace_id = ? ORDER BY p.name
                    """, arguments: [id]).map { "\($0["name"] as String)=\($0["value"] as String)" }
            }
            // The preset's prompt wins over the request's (Coder's resolution order); region has its default.
            #expect(stored == ["AI Prompt=from preset", "region=eu"])

            let badPreset = #"{"template_version_id":"\#(pushed.template_version_id)","template_version_preset_id":"\#(UUID().uuidString)"}"#
            let bad = try await client.call(.post, "/api/experimental/tasks/me", token: token, json: badPreset)
            #expect(bad.status == 400)
        }
    }

    @Test func llmNameIsUsedAndAnyFailureFallsBack() async throws {
        // A local stand-in for the Messages API.
        let router = Router()
        router.post("/v1/messages") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            let reply = text.contains("fail please") ? "task-unnamed" : "task-python-debug"
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"content":[{"type":"text","text":"\#(reply)"}]}"#)))
        }
        let fake = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await fake.test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            var generator = try #require(TaskNameGenerator(environment: [
                "ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(port)",
            ]))
            // The 1 s production limit is for a model API that is down; here the test may run on a busy machine.
            generator.timeout = .seconds(10)
            let name = try await generator.generate(prompt: "Help me debug a Python script")
            #expect(name.range(of: "^task-python-debug-[0-9a-f]{4}$", options: .regularExpression) != nil)
            await #expect(throws: (any Error).self) { try await generator.generate(prompt: "fail please") }

            let db = try dir.openDatabase()
            let f = try TaskFixture(db: db)
            let (_, token) = try f.user("alice")
            var logger = Logger(label: "t")
            logger.logLevel = .critical
            let router2 = buildRouter(database: db, accessURL: AccessURL("http://x"), nameGenerator: generator)
            try await Application(router: router2, logger: logger).test(.router) { client in
                let good = try await client.createTask(token, version: f.aiVersionID, input: "Help me debug a Python script")
                #expect((good.object["name"] as? String)?.hasPrefix("task-python-debug-") == true)
                let fallback = try await client.createTask(token, version: f.aiVersionID, input: "fail please")
                #expect(fallback.status == 201)
                #expect((fallback.object["name"] as? String)?.hasPrefix("task-python-debug") == false)
            }
        }
    }
}
