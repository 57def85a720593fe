import AsyncHTTPClient
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// The v2 task endpoints × every caller (tasks-v2.md §1.6; tasks-api.md §9 rows for the new
/// endpoints, pause/resume/input counted as updates): the exact status of each cell. Watch and
/// the follow-up queue (issue #17) are authorized like send: reading the task and connecting to its app.
@Suite(.serialized) struct TasksV2AuthorizationMatrixTests {
    typealias Caller = AuthorizationMatrixTests.Caller

    enum Endpoint: String, CaseIterable, Sendable {
        case list, get, createForOwner, delete, input, send, liveLogs, snapshotLogs, pause, resume, watch, queue, withdraw
    }

    static let expected: [Endpoint: [Caller: Int]] = {
        // Owners and organization admins may do everything to alice's task, she may too,
        // everyone else gets the 404 of a task they cannot read.
        func row(_ allowed: Int, orgAdmin: Int? = nil) -> [Caller: Int] {
            [.owner: allowed, .taskOwner: allowed, .otherMember: 404, .orgAdmin: orgAdmin ?? allowed, .otherOrgAdmin: 404,
             .templateAdmin: 404, .auditor: 404]
        }
        return [
            .list: [.owner: 200, .taskOwner: 200, .otherMember: 200, .orgAdmin: 200, .otherOrgAdmin: 200, .templateAdmin: 200, .auditor: 200],
            .get: row(200),
            .createForOwner: [.owner: 201, .taskOwner: 201, .otherMember: 404, .orgAdmin: 201, .otherOrgAdmin: 404, .templateAdmin: 403, .auditor: 403],
            .delete: row(202),
            .input: row(204),
            // Organization admins lack application_connect: live logs and send are 404.
            .send: row(204, orgAdmin: 404),
            .liveLogs: row(200, orgAdmin: 404),
            .snapshotLogs: row(200),
            .pause: row(202),
            .resume: row(202),
            .watch: row(200, orgAdmin: 404),
            .queue: row(200, orgAdmin: 404),
            .withdraw: row(204, orgAdmin: 404),
        ]
    }()

    @Test(arguments: Endpoint.allCases)
    func everyCallerGetsTheExactStatus(endpoint: Endpoint) async throws {
        try await withMatrixFixture { f, callerTokens in
            let db = f.db
            let aliceToken = try #require(callerTokens[.taskOwner])
            try await liveApplication(db).test(.live) { client in
                for caller in Caller.allCases {
                    let state: TaskStatus = switch endpoint {
                    case .input, .snapshotLogs, .resume: .paused
                    case .list, .createForOwner: .pending
                    default: .active
                    }
                    let task = try await f.task(in: state, token: aliceToken, client: client)
                    let token: String? = switch caller {
                    case .noToken: nil
                    case .agentToken: try? await f.agentToken(task.workspaceID)
                    default: callerTokens[caller]
                    }
                    // For the withdrawal, one input waits in the fresh task's queue.
                    let queued = endpoint == .withdraw
                        ? try await db.enqueueInput(taskID: task.id, input: "later", createdBy: nil).id : ID.new()
                    let (method, path, body): (HTTPRequest.Method, String, String?) = switch endpoint {
                    case .list: (.get, "/api/v2/tasks", nil)
                    case .get: (.get, "/api/v2/tasks/me/\(task.id)", nil)
                    case .createForOwner: (.post, "/api/v2/tasks/alice", #"{"template_version_id":"\#(f.aiVersionID)","input":"x"}"#)
                    case .delete: (.delete, "/api/v2/tasks/me/\(task.id)", nil)
                    case .input: (.patch, "/api/v2/tasks/me/\(task.id)/input", #"{"input":"edited"}"#)
                    case .send: (.post, "/api/v2/tasks/me/\(task.id)/send", #"{"input":"hi"}"#)
                    case .liveLogs, .snapshotLogs: (.get, "/api/v2/tasks/me/\(task.id)/logs", nil)
                    case .pause: (.post, "/api/v2/tasks/me/\(task.id)/pause", nil)
                    case .resume: (.post, "/api/v2/tasks/me/\(task.id)/resume", nil)
                    case .watch: (.get, "/api/v2/tasks/me/\(task.id)/watch", nil)
                    case .queue: (.get, "/api/v2/tasks/me/\(task.id)/queue", nil)
                    case .withdraw: (.delete, "/api/v2/tasks/me/\(task.id)/queue/\(queued)", nil)
                    }
                    let r = endpoint == .watch
                        ? try await Self.streamStatus(port: try #require(client.port), path, token: token)
                        : try await client.call(method, path, token: token, json: body)
                    let want: Int = switch caller {
                    case .suspended, .expired, .noToken, .agentToken: 401
                    default: Self.expected[endpoint]![caller]!
                    }
                    #expect(r.status == want, "\(endpoint) as \(caller): \(r.status) \(r.text.prefix(160))")
                    if r.status == 404 {
                        #expect(r.text == #"{"message":"Resource not found or you do not have access to this resource"}"# + "\n")
                    }
                    if endpoint == .createForOwner && r.status == 403 {
                        #expect(r.object["message"] as? String == "Unauthorized to create workspace.")
                    }
                    if endpoint == .list && r.status == 200 {
                        let sees = (r.object["tasks"] as? [[String: Any]])?.contains { $0["id"] as? String == task.id } == true
                        #expect(sees == (Self.expected[.get]![caller] == 200), "list as \(caller)")
                    }
                }
            }
        }
    }

    /// The status of a stream the server holds open (and its body when it is not a stream):
    /// the first bytes are enough, then the stream is dropped; the whole call is bounded.
    static func streamStatus(port: Int, _ path: String, token: String?) async throws -> (status: Int, text: String, object: [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await EventStreamClient.http.execute(request, timeout: .seconds(30))
        let status = Int(response.status.code)
        if status == 200 {
            for try await _ in response.body { break }
            return (status, "", [:])
        }
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return (status, text, object)
    }
}
