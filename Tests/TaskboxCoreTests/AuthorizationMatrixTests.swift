import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// Every endpoint × every caller of tasks-api.md §9.3 (issue 8): the exact status of each
/// cell. An object the caller may not read is a 404, never a 403.
@Suite struct AuthorizationMatrixTests {
    enum Caller: String, CaseIterable, Sendable {
        case owner, taskOwner, otherMember, orgAdmin, otherOrgAdmin, templateAdmin, auditor
        case suspended, expired, agentToken, noToken
    }

    enum Endpoint: String, CaseIterable, Sendable {
        case list, get, createForOwner, delete, send, logs, prompts, workspace, build, favorite, cancel, appStatus
    }

    /// Expected status per endpoint, for the callers that authenticate.
    static let expected: [Endpoint: [Caller: Int]] = [
        .list: [.owner: 200, .taskOwner: 200, .otherMember: 200, .orgAdmin: 200, .otherOrgAdmin: 200, .templateAdmin: 200, .auditor: 200],
        .get: [.owner: 200, .taskOwner: 200, .otherMember: 404, .orgAdmin: 200, .otherOrgAdmin: 404, .templateAdmin: 200, .auditor: 404],
        .createForOwner: [.owner: 201, .taskOwner: 201, .otherMember: 404, .orgAdmin: 201, .otherOrgAdmin: 404, .templateAdmin: 403, .auditor: 403],
        .delete: [.owner: 202, .taskOwner: 202, .otherMember: 404, .orgAdmin: 202, .otherOrgAdmin: 404, .templateAdmin: 403, .auditor: 404],
        .send: [.owner: 204, .taskOwner: 204, .otherMember: 404, .orgAdmin: 404, .otherOrgAdmin: 404, .templateAdmin: 404, .auditor: 404],
        .logs: [.owner: 200, .taskOwner: 200, .otherMember: 404, .orgAdmin: 404, .otherOrgAdmin: 404, .templateAdmin: 404, .auditor: 404],
        .prompts: [.owner: 200, .taskOwner: 200, .otherMember: 200, .orgAdmin: 200, .otherOrgAdmin: 200, .templateAdmin: 200, .auditor: 200],
        .workspace: [.owner: 200, .taskOwner: 200, .otherMember: 404, .orgAdmin: 200, .otherOrgAdmin: 404, .templateAdmin: 200, .auditor: 404],
        .build: [.owner: 201, .taskOwner: 201, .otherMember: 404, .orgAdmin: 201, .otherOrgAdmin: 404, .templateAdmin: 403, .auditor: 404],
        .favorite: [.owner: 403, .taskOwner: 204, .otherMember: 404, .orgAdmin: 403, .otherOrgAdmin: 404, .templateAdmin: 403, .auditor: 404],
        .cancel: [.owner: 200, .taskOwner: 200, .otherMember: 404, .orgAdmin: 200, .otherOrgAdmin: 404, .templateAdmin: 403, .auditor: 404],
        .appStatus: [.owner: 401, .taskOwner: 401, .otherMember: 401, .orgAdmin: 401, .otherOrgAdmin: 401, .templateAdmin: 401, .auditor: 401],
    ]

    /// The message of each endpoint's 403 (a caller who may read but not act), written out.
    static let forbiddenMessage: [Endpoint: String] = [
        .createForOwner: "Unauthorized to create workspace.",
        .delete: "You do not have permission to delete this workspace.",
        .build: "Unauthorized to stop workspace.",
        .favorite: "You can only favorite workspaces that you own.",
        .cancel: "Forbidden.",
    ]

    @Test(arguments: Endpoint.allCases)
    func everyCallerGetsTheExactStatus(endpoint: Endpoint) async throws {
        try await withMatrixFixture { f, callerTokens in
            let db = f.db
            let aliceToken = try #require(callerTokens[.taskOwner])
            try await testApplication(db).test(.router) { client in
                for caller in Caller.allCases {
                    // A fresh task of alice's per cell, so state-changing calls do not affect each other.
                    let task = try #require(try await client.createTask(aliceToken, version: f.aiVersionID, input: "matrix").object["id"] as? String)
                    if endpoint != .cancel { try await f.finishBuild(task) }
                    let agentToken = try await db.pool.read { db in
                        try String.fetchOne(db, sql: """
                            SELECT a.auth_token FROM workspace_agents a JOIN workspace_resources r ON r.id = a.resource_id
                            JOIN workspace_builds b ON b.job_id = r.job_id WHERE b.workspace_id = ?
                            """, arguments: [task])
                    }
                    let token: String? = switch caller {
                    case .noToken: nil
                    case .agentToken: agentToken ?? UUID().uuidString
                    default: callerTokens[caller]
                    }
                    let buildID = try #require(try await db.workspaceView(id: task)?.build?.id)
                    let (method, path, body): (HTTPRequest.Method, String, String?) = switch endpoint {
                    case .list: (.get, "/api/experimental/tasks", nil)
                    case .get: (.get, "/api/experimental/tasks/me/\(task)", nil)
                    case .createForOwner: (.post, "/api/experimental/tasks/alice", #"{"template_version_id":"\#(f.aiVersionID)","input":"x"}"#)
                    case .delete: (.delete, "/api/experimental/tasks/me/\(task)", nil)
                    case .send: (.post, "/api/experimental/tasks/me/\(task)/send", #"{"input":"hi"}"#)
                    case .logs: (.get, "/api/experimental/tasks/me/\(task)/logs", nil)
                    case .prompts: (.get, "/api/experimental/aitasks/prompts?build_ids=\(buildID)", nil)
                    case .workspace: (.get, "/api/v2/workspaces/\(task)", nil)
                    case .build: (.post, "/api/v2/workspaces/\(task)/builds", #"{"transition":"stop"}"#)
                    case .favorite: (.put, "/api/v2/workspaces/\(task)/favorite", nil)
                    case .cancel: (.patch, "/api/v2/workspacebuilds/\(buildID)/cancel", nil)
                    case .appStatus: (.patch, "/api/v2/workspaceagents/me/app-status", #"{"app_slug":"task-sidebar","state":"idle","message":"x"}"#)
                    }
                    let r = try await client.call(method, path, token: token, json: body)
                    let want: Int = switch caller {
                    case .suspended, .expired, .noToken: 401
                    case .agentToken: endpoint == .appStatus ? 200 : 401
                    default: Self.expected[endpoint]![caller]!
                    }
                    #expect(r.status == want, "\(endpoint) as \(caller): \(r.status) \(r.text.prefix(160))")
                    // Coder's "resource not found" body, written out: an unregistered route's 404
                    // ("Route not found.") fails the cell.
                    if r.status == 404 {
                        #expect(r.text == #"{"message":"Resource not found or you do not have access to this resource"}"# + "\n",
                                "\(endpoint) as \(caller): \(r.text)")
                    }
                    if r.status == 403 {
                        #expect(r.object["message"] as? String == Self.forbiddenMessage[endpoint], "\(endpoint) as \(caller): \(r.text)")
                    }
                    if endpoint == .prompts, r.status == 200 {
                        let sees = (r.object["prompts"] as? [String: String])?[buildID] != nil
                        #expect(sees == (Self.expected[.get]![caller] == 200), "prompts as \(caller)")
                    }
                }
            }
        }
    }
}
