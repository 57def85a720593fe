import Foundation
import Hummingbird

/// `/api/v2/webhooks`: a user manages the subscriptions about their own tasks, a site owner
/// every subscription. Someone else's subscription answers 404, as Coder hides what one may not read.
struct WebhooksController {
    let layer: AuthorizingLayer

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/webhooks", use: list)
        group.post("/api/v2/webhooks", use: create)
        group.get("/api/v2/webhooks/{webhook}", use: get)
        group.delete("/api/v2/webhooks/{webhook}", use: delete)
        group.post("/api/v2/webhooks/{webhook}/rotate-secret", use: rotateSecret)
        group.get("/api/v2/webhooks/{webhook}/deliveries", use: deliveries)
    }

    /// The answer to a create: the subscription and, this once, its secret.
    struct Created: Encodable {
        var id: String
        var user_id: String?
        var url: String
        var events: [String]
        var status: String
        var created_at: String
        var secret: String
    }

    /// `{"url","events"?,"user"?}`: `user` is `me` (the default), a username or UUID, or `*` for
    /// every user's tasks (site owners only); `events` empty means all.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await RequestBody.read(request, context: context, as: "CreateWebhookRequest")
        let url = try body.string("url")
        let eventNames = try body.strings("events")
        let user = try body.string("user")
        if let problem = WebhookTargetPolicy.urlProblem(url) {
            throw APIError(400, "Validation failed.", validations: [ValidationFailure(field: "url", detail: problem)])
        }
        let events: [TaskEventType]
        switch TaskEventType.parseList(eventNames) {
        case .success(let parsed): events = parsed
        case .failure(let invalid):
            throw APIError(400, "Validation failed.", validations: [ValidationFailure(field: "events", detail: invalid.detail)])
        }
        let created = try await context.store(layer).createWebhook(url: url, events: events, user: user)
        let s = created.subscription
        return try JSONResponse.make(
            Created(id: s.id, user_id: s.user_id, url: s.url, events: s.events, status: s.status, created_at: s.created_at,
                    secret: created.secret),
            status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(try await context.store(layer).webhooks())
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(try await managed(context).webhook.subscription)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (store, webhook) = try await managed(context)
        try await store.delete(webhook)
        return Response(status: .noContent)
    }

    @Sendable func rotateSecret(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (store, webhook) = try await managed(context)
        let secret = try await store.rotateSecret(of: webhook)
        return try JSONResponse.make(["id": webhook.subscription.id, "secret": secret])
    }

    @Sendable func deliveries(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (store, webhook) = try await managed(context)
        return try JSONResponse.make(try await store.deliveries(of: webhook))
    }

    /// `{webhook}`: a UUID of a subscription the caller may manage (`Authorizer.mayManageWebhook`).
    func managed(_ context: AppRequestContext) async throws -> (store: AuthorizedStore, webhook: ManagedWebhook) {
        let store = try context.store(layer)
        let raw = context.parameters.get("webhook") ?? ""
        let id: String
        do {
            id = try GoUUID.parse(raw).lowercased
        } catch {
            throw APIError(400, "Invalid UUID \"\(raw)\".", detail: error.message)
        }
        return (store, try await store.webhook(id: id))
    }
}
