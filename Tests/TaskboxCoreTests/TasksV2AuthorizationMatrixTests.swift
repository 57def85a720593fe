import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// The v2 task endpoints × every caller (tasks-v2.md §1.6; tasks-api.md §9 rows for the new
/// endpoints, pause/resume/input counted as updates): the exact status of each cell.
@Suite struct TasksV2AuthorizationMatrixTests {
    typealias Caller = AuthorizationMatrixTests.Caller

    enum Endpoint: String, CaseIterable, Sendable {
        case list, get, createForOwner, delete, input, send, liveLogs, snapshotLogs, pause, resume
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
        ]
    }()

    @Test(arguments: Endpoint.allCases)
    func everyCallerGetsTheExactStatus(endpoint: Endpoint) async throws {
        let fake = FakeAgentAPI()
        let dir = TestDirectory()
        try await fake.application().test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            let db = try dir.openDatabase()
            let f = try TaskFixture(db: db, appURL: "http://127.0.0.1:\(port)")
            let callerTokens = try await matrixCallerTokens(f)
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
                    }
                    let r = try await client.call(method, path, token: token, json: body)
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
}
