import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
@testable import TaskboxCore

/// `/api/v2/webhooks` through the router on a real SQLite file: who may see and subscribe to
/// what, bad input, and the outbox rows a task's creation writes.
@Suite struct WebhooksHTTPTests {
    let dir = TestDirectory()

    func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func aUserSeesAndSubscribesOnlyToTheirOwnTasks() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, aliceToken) = try f.user("alice")
        let (_, bobToken) = try f.user("bob")
        let (_, ownerToken) = try f.user("root", roles: [.owner])
        try await testApplication(db).test(.router) { client in
            // Someone else's tasks: hidden, as Coder hides objects one may not read.
            var r = try await client.call(.post, "/api/v2/webhooks", token: aliceToken,
                                          json: json(["url": "http://127.0.0.1:9/a", "user": "bob"]))
            #expect(r.status == 404, "\(r.text)")
            #expect(r.object["message"] as? String == "Resource not found or you do not have access to this resource")
            r = try await client.call(.post, "/api/v2/webhooks", token: bobToken, json: json(["url": "http://127.0.0.1:9/b", "user": "*"]))
            #expect(r.status == 403)

            r = try await client.call(.post, "/api/v2/webhooks", token: aliceToken,
                                      json: json(["url": "http://127.0.0.1:9/a", "events": ["task.created", "task.idle"]]))
            #expect(r.status == 201, "\(r.text)")
            let aliceHook = try #require(r.object["id"] as? String)
            #expect(r.object["user_id"] as? String == alice.id)
            #expect(r.object["events"] as? [String] == ["task.created", "task.idle"])
            let secret = try #require(r.object["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)

            let bobHook = try #require(try await client.call(.post, "/api/v2/webhooks", token: bobToken,
                                                             json: json(["url": "https://example.com/b"])).object["id"] as? String)
            let siteHook = try #require(try await client.call(.post, "/api/v2/webhooks", token: ownerToken,
                                                              json: json(["url": "https://example.com/all", "user": "*"])).object["id"] as? String)

            // Bob cannot read, delete or rotate Alice's subscription, nor see it listed.
            for (method, path) in [(HTTPRequest.Method.get, ""), (.delete, ""), (.post, "/rotate-secret"), (.get, "/deliveries")] {
                r = try await client.call(method, "/api/v2/webhooks/\(aliceHook)\(path)", token: bobToken)
                #expect(r.status == 404, "\(method) \(path): \(r.text)")
            }
            let bobList = try await client.execute(uri: "/api/v2/webhooks", method: .get, headers: [.authorization: "Bearer \(bobToken)"]) {
                try JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [[String: Any]] ?? []
            }
            #expect(bobList.map { $0["id"] as? String } == [bobHook])
            // A list never shows a secret.
            let listText = try await client.execute(uri: "/api/v2/webhooks", method: .get, headers: [.authorization: "Bearer \(ownerToken)"]) { $0.text }
            #expect(!listText.contains("whsec_") && !listText.contains("secret"))
            let all = try JSONSerialization.jsonObject(with: Data(listText.utf8)) as? [[String: Any]] ?? []
            #expect(Set(all.compactMap { $0["id"] as? String }) == [aliceHook, bobHook, siteHook])

            // Alice's task: an event for her subscription and the site-wide one, none for Bob's.
            r = try await client.createTask(aliceToken, version: f.aiVersionID, input: "hello hooks")
            #expect(r.status == 201)
            let taskID = try #require(r.object["id"] as? String)
            let aliceDeliveries = try await db.webhookDeliveries(subscriptionID: aliceHook)
            #expect(aliceDeliveries.map(\.event_type) == ["task.created"])
            #expect(aliceDeliveries.first?.status == "pending")
            #expect(try await db.webhookDeliveries(subscriptionID: siteHook).map(\.event_type) == ["task.created"])
            #expect(try await db.webhookDeliveries(subscriptionID: bobHook).isEmpty)
            let payload = try await db.pool.read { try String.fetchOne($0, sql: "SELECT payload FROM webhook_events") }
            let payloadText = try #require(payload)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(payloadText.utf8)) as? [String: Any])
            #expect(body["type"] as? String == "task.created")
            let task = try #require((body["data"] as? [String: Any])?["task"] as? [String: Any])
            #expect(task["id"] as? String == taskID)
            #expect(task["initial_prompt"] as? String == "hello hooks")

            // Alice's own view of deliveries; then she deletes her subscription.
            r = try await client.call(.get, "/api/v2/webhooks/\(aliceHook)", token: aliceToken)
            #expect(r.status == 200 && r.object["secret"] == nil)
            r = try await client.call(.post, "/api/v2/webhooks/\(aliceHook)/rotate-secret", token: aliceToken)
            #expect(r.status == 200)
            #expect((r.object["secret"] as? String)?.hasPrefix("whsec_") == true && r.object["secret"] as? String != secret)
            r = try await client.call(.delete, "/api/v2/webhooks/\(aliceHook)", token: aliceToken)
            #expect(r.status == 204)
            r = try await client.call(.get, "/api/v2/webhooks/\(aliceHook)", token: ownerToken)
            #expect(r.status == 404)
        }
    }

    @Test(arguments: [
        (#"{"url":"ftp://example.com/x"}"#, 400, "url"),
        (#"{"url":""}"#, 400, "url"),
        (#"{"url":"http://user:pw@example.com/"}"#, 400, "url"),
        (#"{"url":"https://example.com/","events":["task.nope"]}"#, 400, "events"),
        (#"{"url":"https://example.com/","events":"task.created"}"#, 400, ""),
        (#"{"url":"https://example.com/","user":"nobody-here"}"#, 400, ""),
        (#"[1]"#, 400, ""),
        (#"{"url":"#, 400, ""),
    ])
    func badCreateRequestsGetTheEnvelope(body: String, status: Int, field: String) async throws {
        let db = try dir.openDatabase()
        let (_, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            let r = try await client.call(.post, "/api/v2/webhooks", token: token, json: body)
            #expect(r.status == status, "\(body): \(r.text)")
            #expect(r.object["message"] is String)
            if !field.isEmpty {
                let validations = r.object["validations"] as? [[String: Any]] ?? []
                #expect(validations.first?["field"] as? String == field, "\(r.text)")
            }
        }
        #expect(try await db.webhooks().isEmpty)
    }

    @Test func badIdentifiersAnswer400And404() async throws {
        let db = try dir.openDatabase()
        let (_, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            let malformed = try await client.call(.get, "/api/v2/webhooks/not-a-uuid", token: token)
            #expect(malformed.status == 400)
            #expect(malformed.object["message"] as? String == "Invalid UUID \"not-a-uuid\".")
            let missing = try await client.call(.delete, "/api/v2/webhooks/\(UUID().uuidString)", token: token)
            #expect(missing.status == 404)
            let anonymous = try await client.call(.get, "/api/v2/webhooks", token: nil)
            #expect(anonymous.status == 401)
        }
    }
}
