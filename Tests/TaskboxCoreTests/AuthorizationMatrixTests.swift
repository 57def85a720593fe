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

/// The webhook routes (issue #12, `Authorizer.mayManageWebhook`): a subscription about alice's
/// tasks, as the site owner, alice, another member and no one see it.
extension AuthorizationMatrixTests {
    enum WebhookCaller: String, CaseIterable, Sendable {
        case owner, subscriber, otherMember, noToken
    }

    enum WebhookEndpoint: String, CaseIterable, Sendable {
        case createForSubscriber, createForEveryUser, list, get, delete, rotate, deliveries
    }

    static let webhookNotFound = "Resource not found or you do not have access to this resource"
    static let signedOut = "You are signed out or your session has expired. Please sign in again to continue."

    /// Status and, for a refusal, the message of each cell.
    static let webhookExpected: [WebhookEndpoint: [WebhookCaller: (Int, String?)]] = [
        .createForSubscriber: [.owner: (201, nil), .subscriber: (201, nil), .otherMember: (404, webhookNotFound), .noToken: (401, signedOut)],
        .createForEveryUser: [
            .owner: (201, nil), .subscriber: (403, "Only site owners may subscribe to every user's tasks."),
            .otherMember: (403, "Only site owners may subscribe to every user's tasks."), .noToken: (401, signedOut),
        ],
        .list: [.owner: (200, nil), .subscriber: (200, nil), .otherMember: (200, nil), .noToken: (401, signedOut)],
        .get: [.owner: (200, nil), .subscriber: (200, nil), .otherMember: (404, webhookNotFound), .noToken: (401, signedOut)],
        .delete: [.owner: (204, nil), .subscriber: (204, nil), .otherMember: (404, webhookNotFound), .noToken: (401, signedOut)],
        .rotate: [.owner: (200, nil), .subscriber: (200, nil), .otherMember: (404, webhookNotFound), .noToken: (401, signedOut)],
        .deliveries: [.owner: (200, nil), .subscriber: (200, nil), .otherMember: (404, webhookNotFound), .noToken: (401, signedOut)],
    ]

    /// Whether the caller's list shows alice's subscription.
    static let webhookListed: [WebhookCaller: Bool] = [.owner: true, .subscriber: true, .otherMember: false]

    @Test(arguments: WebhookEndpoint.allCases)
    func everyCallerManagesOnlyTheWebhooksItMay(endpoint: WebhookEndpoint) async throws {
        try await withMatrixFixture { f, callerTokens in
            let aliceToken = try #require(callerTokens[.taskOwner])
            try await testApplication(f.db).test(.router) { client in
                for caller in WebhookCaller.allCases {
                    // A fresh subscription of alice's per cell, so a delete does not affect the next.
                    let created = try await client.call(.post, "/api/v2/webhooks", token: aliceToken, json: #"{"url":"https://example.com/alice"}"#)
                    let hook = try #require(created.object["id"] as? String, "\(created.text)")
                    let token: String? = switch caller {
                    case .owner: callerTokens[.owner]
                    case .subscriber: aliceToken
                    case .otherMember: callerTokens[.otherMember]
                    case .noToken: nil
                    }
                    let (method, path, body): (HTTPRequest.Method, String, String?) = switch endpoint {
                    case .createForSubscriber: (.post, "/api/v2/webhooks", #"{"url":"https://example.com/x","user":"alice"}"#)
                    case .createForEveryUser: (.post, "/api/v2/webhooks", #"{"url":"https://example.com/x","user":"*"}"#)
                    case .list: (.get, "/api/v2/webhooks", nil)
                    case .get: (.get, "/api/v2/webhooks/\(hook)", nil)
                    case .delete: (.delete, "/api/v2/webhooks/\(hook)", nil)
                    case .rotate: (.post, "/api/v2/webhooks/\(hook)/rotate-secret", nil)
                    case .deliveries: (.get, "/api/v2/webhooks/\(hook)/deliveries", nil)
                    }
                    let r = try await client.call(method, path, token: token, json: body)
                    let (status, message) = try #require(Self.webhookExpected[endpoint]?[caller])
                    #expect(r.status == status, "\(endpoint) as \(caller): \(r.status) \(r.text.prefix(160))")
                    if let message {
                        #expect(r.object["message"] as? String == message, "\(endpoint) as \(caller): \(r.text)")
                    }
                    if endpoint == .list, r.status == 200 {
                        let listed = ((try? JSONSerialization.jsonObject(with: Data(r.text.utf8))) as? [[String: Any]] ?? [])
                            .contains { $0["id"] as? String == hook }
                        #expect(listed == Self.webhookListed[caller], "list as \(caller)")
                    }
                }
            }
        }
    }
}
