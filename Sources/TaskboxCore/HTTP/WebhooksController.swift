import Foundation
import Hummingbird

/// `/api/v2/webhooks`: a user manages the subscriptions about their own tasks, a site owner
/// every subscription. Someone else's subscription answers 404, as Coder hides what one may not read.
struct WebhooksController {
    let database: AppDatabase

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
        let actor = try context.requireActor()
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
        let userID: String?
        if user == "*" {
            guard actor.isOwner else { throw APIError(403, "Only site owners may subscribe to every user's tasks.") }
            userID = nil
        } else {
            let resolved = try await AuthorizedStore(actor, database).resolveUserParameter(user.isEmpty ? "me" : user)
            guard actor.isOwner || resolved.userID == actor.id else { throw APIError.notFound }
            userID = resolved.userID
        }
        let created = try await database.createWebhook(url: url, events: events, userID: userID, createdBy: actor.id)
        let s = created.subscription
        return try JSONResponse.make(
            Created(id: s.id, user_id: s.user_id, url: s.url, events: s.events, status: s.status, created_at: s.created_at,
                    secret: created.secret),
            status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        return try JSONResponse.make(try await database.webhooks(userID: actor.isOwner ? nil : actor.id))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(try await visible(context))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let subscription = try await visible(context)
        try await database.deleteWebhook(id: subscription.id)
        return Response(status: .noContent)
    }

    @Sendable func rotateSecret(_ request: Request, context: AppRequestContext) async throws -> Response {
        let subscription = try await visible(context)
        let secret = try await database.rotateWebhookSecret(id: subscription.id)
        return try JSONResponse.make(["id": subscription.id, "secret": secret])
    }

    @Sendable func deliveries(_ request: Request, context: AppRequestContext) async throws -> Response {
        let subscription = try await visible(context)
        return try JSONResponse.make(try await database.webhookDeliveries(subscriptionID: subscription.id))
    }

    /// `{webhook}`: a UUID of a subscription about the caller's tasks, or any for a site owner.
    func visible(_ context: AppRequestContext) async throws -> WebhookSubscription {
        let actor = try context.requireActor()
        let raw = context.parameters.get("webhook") ?? ""
        let id: String
        do {
            id = try GoUUID.parse(raw).lowercased
        } catch {
            throw APIError(400, "Invalid UUID \"\(raw)\".", detail: error.message)
        }
        guard let subscription = try await database.webhook(id: id), actor.isOwner || subscription.user_id == actor.id else {
            throw APIError.notFound
        }
        return subscription
    }
}
