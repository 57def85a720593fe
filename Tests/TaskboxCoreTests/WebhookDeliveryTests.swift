import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// Webhook delivery end to end: a real `serve --demo` with the echo agent, a real receiver on
/// loopback that verifies every delivery with the PyPI library `standardwebhooks`.
@Suite(.serialized) struct WebhookDeliveryTests {
    let dir = TestDirectory()

    static let serveArguments = ["--webhook-allow", "127.0.0.1/8", "--webhook-retry-base", "200ms", "--webhook-timeout", "1s"]

    /// Runs `body` against a demo server, which is always stopped afterwards.
    func withDemo(_ arguments: [String] = serveArguments, _ body: (DemoServer) async throws -> Void) async throws {
        let demo = try await DemoServer.start(dir: dir, arguments: arguments)
        do {
            try await body(demo)
        } catch {
            await demo.server.stop()
            throw error
        }
        #expect(await demo.server.stop() == 0)
    }

    func subscribe(_ url: String, token: String, receiver: WebhookReceiver, name: String, events: [String] = []) async throws
        -> (id: String, secret: String) {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["url": receiver.url(name), "events": events]), as: UTF8.self)
        let r = try await http(.POST, url + "/api/v2/webhooks", token: token, body: body)
        #expect(r.status == 201, "\(r.body)")
        let id = try #require(r.object["id"] as? String)
        let secret = try #require(r.object["secret"] as? String)
        try await receiver.register(name, secret: secret)
        return (id, secret)
    }

    func createTask(_ demo: DemoServer, _ input: String) async throws -> String {
        let created = try await http(.POST, demo.url + "/api/experimental/tasks/me", token: demo.token,
                                     body: #"{"template_version_id":"\#(demo.versionID)","input":"\#(input)"}"#)
        #expect(created.status == 201, "\(created.body)")
        return try #require(created.object["id"] as? String)
    }

    /// Polls the task (bounded) until `condition` holds; returns the last answer.
    @discardableResult
    func waitTask(_ demo: DemoServer, _ id: String, within timeout: Duration = .seconds(45), _ condition: ([String: Any]) -> Bool)
        async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var task: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            task = try await http(.GET, demo.url + "/api/experimental/tasks/me/\(id)", token: demo.token).object
            if condition(task) { return task }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("task never reached the expected state: \(task)")
        return task
    }

    static func state(_ task: [String: Any]) -> String? { (task["current_state"] as? [String: Any])?["state"] as? String }

    /// The subscription's outbox, in delivery order: (webhook-id, type, status).
    func outbox(_ subscriptionID: String) async throws -> [(id: String, type: String, status: String)] {
        try await dir.openDatabase().pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.event_id, e.type, d.status FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                    WHERE d.subscription_id = ? ORDER BY d.seq
                    """,
                arguments: [subscriptionID]
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    @Test func everyEventOfATaskLifecycleArrivesSignedOnceEachAndInOrder() async throws {
        let receiver = try await WebhookReceiver(dir: dir)
        defer { receiver.stop() }
        try await withDemo { demo in
            let hook = try await subscribe(demo.url, token: demo.token, receiver: receiver, name: "all")
            let id = try await createTask(demo, "Hello hooks")
            try await waitTask(demo, id) { $0["status"] as? String == "running" && Self.state($0) == "idle" }

            // The agent reports complete, then failure, through the app-status endpoint with its own token.
            let agent = try await runTaskbox(["agents", "token", "--workspace", id, "-o", "json"], db: dir.dbPath)
            let agentToken = try #require((try agent.json() as? [String: Any])?["token"] as? String)
            for (state, message) in [("complete", "All done"), ("failure", "It broke")] {
                let r = try await http(.PATCH, demo.url + "/api/v2/workspaceagents/me/app-status", token: agentToken,
                                       body: #"{"app_slug":"agentapi","state":"\#(state)","message":"\#(message)"}"#)
                #expect(r.status == 200, "\(r.body)")
            }
            // Pause (a stop build), resume (a start after it), delete.
            var r = try await http(.POST, demo.url + "/api/v2/workspaces/\(id)/builds", token: demo.token, body: #"{"transition":"stop"}"#)
            #expect(r.status == 201, "\(r.body)")
            try await waitTask(demo, id) { $0["status"] as? String == "stopped" }
            r = try await http(.POST, demo.url + "/api/v2/workspaces/\(id)/builds", token: demo.token, body: #"{"transition":"start"}"#)
            #expect(r.status == 201, "\(r.body)")
            try await waitTask(demo, id) { $0["status"] as? String == "running" }
            r = try await http(.DELETE, demo.url + "/api/experimental/tasks/me/\(id)", token: demo.token)
            #expect(r.status == 202)
            #expect(await receiver.wait(within: .seconds(45)) { $0.accepted("all").contains { $0.type == "task.deleted" } })

            let records = receiver.records("all")
            #expect(records.allSatisfy { $0.verified }, "\(records.compactMap { $0.error })")
            let accepted = receiver.accepted("all")
            let types = accepted.map(\.type)
            #expect(Set(types).isSuperset(of: ["task.created", "task.working", "task.idle", "task.complete", "task.failed",
                                               "task.paused", "task.resumed", "task.deleted"]), "\(types)")
            #expect(types.first == "task.created" && types.last == "task.deleted", "\(types)")
            // In outbox order, each event once (ids are unique per event).
            let outbox = try await outbox(hook.id)
            #expect(accepted.map(\.id) == outbox.map(\.id))
            #expect(Set(accepted.map(\.id)).count == accepted.count)
            #expect(records.count == accepted.count, "a healthy receiver gets each event once")
            for record in accepted {
                let data = try #require(record.body["data"] as? [String: Any])
                #expect((data["task"] as? [String: Any])?["id"] as? String == id)
                #expect(Timestamp.parse(record.body["timestamp"] as? String ?? "") != nil)
            }
            let complete = try #require(accepted.first { $0.type == "task.complete" })
            #expect((complete.body["data"] as? [String: Any])?["message"] as? String == "All done")
            let failed = try #require(accepted.first { $0.type == "task.failed" })
            let failedTask = try #require((failed.body["data"] as? [String: Any])?["task"] as? [String: Any])
            #expect((failedTask["current_state"] as? [String: Any])?["message"] as? String == "It broke")

            // The secret never reaches the logs.
            let logs = demo.server.stdout + demo.server.stderr
            #expect(!logs.contains(hook.secret) && !logs.contains(String(hook.secret.dropFirst(6))))
            #expect(logs.contains("taskbox listening on"))
        }
    }

    @Test func failingAndHangingReceiversAreRetriedWithoutSlowingOthers() async throws {
        let receiver = try await WebhookReceiver(dir: dir)
        defer { receiver.stop() }
        try await receiver.setBehaviour("flaky", "fail2")
        try await receiver.setBehaviour("hang", "hang")
        try await receiver.setBehaviour("moved", "redirect")
        try await withDemo { demo in
            let events = ["task.created", "task.working", "task.idle"]
            let hang = try await subscribe(demo.url, token: demo.token, receiver: receiver, name: "hang", events: events)
            let flaky = try await subscribe(demo.url, token: demo.token, receiver: receiver, name: "flaky", events: events)
            let moved = try await subscribe(demo.url, token: demo.token, receiver: receiver, name: "moved", events: ["task.created"])
            let steady = try await subscribe(demo.url, token: demo.token, receiver: receiver, name: "steady", events: events)
            let id = try await createTask(demo, "Retry me")

            // The healthy subscription gets everything while another one hangs.
            #expect(await receiver.wait(within: .seconds(30)) { $0.accepted("steady").count >= 3 })
            #expect(receiver.accepted("steady").prefix(3).map(\.type) == events)
            let started = ContinuousClock.now
            let task = try await http(.GET, demo.url + "/api/experimental/tasks/me/\(id)", token: demo.token)
            #expect(task.status == 200)
            #expect(ContinuousClock.now - started < .seconds(2), "the API is not held up by a hanging receiver")

            // Fails twice, then succeeds: the same webhook-id each time, in order.
            #expect(await receiver.wait(within: .seconds(30)) { $0.accepted("flaky").count >= 3 })
            let flakyRecords = receiver.records("flaky")
            #expect(flakyRecords.allSatisfy { $0.verified })
            let firstID = try #require(flakyRecords.first?.id)
            #expect(flakyRecords.prefix(3).map(\.id) == [firstID, firstID, firstID])
            #expect(flakyRecords.prefix(3).map(\.status) == [500, 500, 200])
            #expect(receiver.accepted("flaky").prefix(3).map(\.type) == events)
            #expect(receiver.accepted("flaky").map(\.id) == receiver.accepted("steady").map(\.id))
            let deliveries = try await http(.GET, demo.url + "/api/v2/webhooks/\(flaky.id)/deliveries", token: demo.token)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(deliveries.body.utf8)) as? [[String: Any]])
            let first = try #require(list.last)  // newest first
            #expect(first["event_id"] as? String == firstID)
            #expect(first["status"] as? String == "delivered")
            #expect((first["attempts"] as? [[String: Any]])?.map { $0["status_code"] as? Int } == [500, 500, 200])

            // Redirects are not followed: the 302 is a failed attempt and nothing else reaches the receiver.
            let movedState = try await waitDeliveries(demo, moved.id) { ($0.first?["attempts"] as? [Any])?.count ?? 0 >= 2 }
            let movedAttempts = try #require(movedState.first?["attempts"] as? [[String: Any]])
            #expect(movedAttempts.first?["status_code"] as? Int == 302)
            #expect(movedAttempts.first?["error"] as? String == "HTTP 302 (redirects are not followed)")
            #expect(receiver.records("moved").count <= movedAttempts.count + 1)

            // The hanging receiver: attempts time out, and after five in a row the subscription is failing.
            var hook: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(40)
            while ContinuousClock.now < deadline {
                hook = try await http(.GET, demo.url + "/api/v2/webhooks/\(hang.id)", token: demo.token).object
                if hook["status"] as? String == "failing" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(hook["status"] as? String == "failing", "\(hook)")
            #expect((hook["consecutive_failures"] as? Int ?? 0) >= 5)
            let hangDeliveries = try await waitDeliveries(demo, hang.id) { !$0.isEmpty }
            let hangAttempts = try #require(hangDeliveries.last?["attempts"] as? [[String: Any]])
            #expect(hangAttempts.allSatisfy { ($0["error"] as? String)?.hasPrefix("no answer within") == true }, "\(hangAttempts)")
            #expect(hangAttempts.allSatisfy { ($0["duration_ms"] as? Int ?? 0) < 3000 })
            // In order: nothing after the stuck head was sent to it.
            #expect(Set(receiver.records("hang").map(\.id)).count == 1)
            _ = steady
        }
    }

    func waitDeliveries(_ demo: DemoServer, _ id: String, _ condition: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(30)
        var list: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            let r = try await http(.GET, demo.url + "/api/v2/webhooks/\(id)/deliveries", token: demo.token)
            list = (try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [[String: Any]]) ?? []
            if condition(list) { return list }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("deliveries never matched: \(list)")
        return list
    }

    @Test func eventsOutliveASIGKILLedServerAndAreDeliveredAfterTheRestart() async throws {
        let receiver = try await WebhookReceiver(dir: dir)
        defer { receiver.stop() }
        try await receiver.setBehaviour("k", "hang")
        // A long timeout: the first delivery is still in flight when serve is killed.
        let arguments = ["--webhook-allow", "127.0.0.1/8", "--webhook-retry-base", "200ms", "--webhook-timeout", "60s"]
        let demo = try await DemoServer.start(dir: dir, arguments: arguments)
        var hook: (id: String, secret: String)?
        do {
            hook = try await subscribe(demo.url, token: demo.token, receiver: receiver, name: "k")
            let id = try await createTask(demo, "Survive a crash")
            try await waitTask(demo, id) { $0["status"] as? String == "running" && Self.state($0) == "idle" }
            #expect(await receiver.wait(within: .seconds(10)) { !$0.records("k").isEmpty })
        } catch {
            await demo.server.stop()
            throw error
        }
        #expect(await demo.server.stop(signal: SIGKILL) == SIGKILL)
        let subscription = try #require(hook)
        let before = try await outbox(subscription.id)
        #expect(before.count >= 3 && before.allSatisfy { $0.status == "pending" }, "\(before)")

        try await receiver.setBehaviour("k", "ok")
        let restarted = try await ServerProcess.start(db: dir.dbPath, arguments: Self.serveArguments)
        var after = before
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            after = try await outbox(subscription.id)
            if after.count >= before.count && after.allSatisfy({ $0.status == "delivered" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await restarted.stop() == 0)
        #expect(after.allSatisfy { $0.status == "delivered" }, "\(after)")
        #expect(Array(after.prefix(before.count).map(\.id)) == before.map(\.id))
        // Every event, in outbox order; the one cut off by the kill came again with the same webhook-id.
        #expect(Array(receiver.accepted("k").map(\.id).prefix(after.count)) == after.map(\.id))
        #expect(receiver.records("k").first?.id == after.first?.id)
        #expect(receiver.records("k").allSatisfy { $0.verified })
    }
}
