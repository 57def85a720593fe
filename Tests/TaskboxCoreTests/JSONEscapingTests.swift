import Foundation
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// Task JSON escapes strings byte for byte as Go's `encoding/json` (Go ≥ 1.22) does.
@Suite struct JSONEscapingTests {
    @Test func controlCharactersAndHTMLAreEscapedAsGoEscapesThem() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let input = "a\u{8}b\u{C}c\u{1}d\u{1F}\"\\<&>\u{2028}\u{2029}\n\r\té€…\u{2029}"
            let created = try await client.createTask(token, version: f.aiVersionID, input: input, name: "escapes")
            #expect(created.status == 201, "\(created.text)")
            let expected = #""initial_prompt":"a\bb\fc\u0001d\u001f\"\\\u003c\u0026\u003e\u2028\u2029\n\r\té€…\u2029""#
            #expect(created.text.contains(expected), "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            let read = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(read.text.contains(expected), "\(read.text)")
        }
    }

    /// The `Encodable` responses (templates, presets) escape as Coder's `httpapi.Write` does,
    /// read from a real listening server.
    @Test func templateAndPresetTextIsEscapedAsGoEscapesIt() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        // `<b>&`, U+2028, then (escaped in the manifest's JSON) BS, FF, SOH, a quote and a backslash.
        let text = "<b>&\u{2028}" + #"\u0008\u000C\u0001\"\\"#
        let manifest = """
            {"name":"escapes","display_name":"\(text)","description":"d\(text)",
             "parameters":[{"name":"AI Prompt","type":"string","default":""}],
             "presets":[{"name":"p\(text)","parameters":{"AI Prompt":"v\(text)"}}],
             "agents":[{"name":"main","apps":[{"slug":"web","url":"http://127.0.0.1:{port}"}]}],
             "ai_task":{"app":"web"}}
            """
        let pushed = try db.pushTemplate(manifestData: Data(manifest.utf8))
        let escaped = #"\u003cb\u003e\u0026\u2028\b\f\u0001\"\\"#
        try await liveApplication(db).test(.live) { client in
            let list = try await client.call(.get, "/api/v2/templates", token: token)
            #expect(list.status == 200)
            #expect(list.text.contains(#""display_name":"\#(escaped)","description":"d\#(escaped)","#), "\(list.text)")
            let presets = try await client.call(.get, "/api/v2/templateversions/\(pushed.template_version_id)/presets", token: token)
            #expect(presets.status == 200)
            #expect(presets.text.hasSuffix(#"","Name":"p\#(escaped)","Parameters":[{"Name":"AI Prompt","Value":"v\#(escaped)"}]}]"# + "\n"),
                    "\(presets.text)")
        }
    }

    /// Webhook answers, written literally: keys in declared order, a nil `user_id` left out
    /// (a subscription to every user's tasks), `&` escaped, and the rotate answer's map keys
    /// sorted as Go sorts them.
    @Test func webhookAnswersKeepKeyOrderAndLeaveNilOptionalsOut() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, owner) = try f.user("root", roles: [.owner])
        try await liveApplication(db).test(.live) { client in
            let created = try await client.call(
                .post, "/api/v2/webhooks", token: owner, json: #"{"url":"https://example.com/hook?a=1&b=2","user":"*"}"#)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            let createdAt = try #require(created.object["created_at"] as? String)
            let secret = try #require(created.object["secret"] as? String)
            #expect(created.text == #"{"id":"\#(id)","url":"https://example.com/hook?a=1\u0026b=2","events":[],"status":"active","#
                + #""created_at":"\#(createdAt)","secret":"\#(secret)"}"# + "\n")
            let rotated = try await client.call(.post, "/api/v2/webhooks/\(id)/rotate-secret", token: owner)
            let newSecret = try #require(rotated.object["secret"] as? String)
            #expect(rotated.text == #"{"id":"\#(id)","secret":"\#(newSecret)"}"# + "\n")
        }
    }
}
