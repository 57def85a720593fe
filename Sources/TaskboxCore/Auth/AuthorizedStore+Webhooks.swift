import Foundation

/// Webhook subscriptions through the authorizing layer: a subscription the caller may not
/// manage answers 404, as one that does not exist.
extension AuthorizedStore {
    public static let everyUserForbiddenMessage = "Only site owners may subscribe to every user's tasks."

    /// A subscription about `user`'s tasks: `me` (also for ""), a username or id, or `*` for
    /// every user's.
    public func createWebhook(url: String, events: [TaskEventType], user: String) async throws -> CreatedWebhook {
        let userID: String?
        if user == "*" {
            guard authorizer.mayManageWebhook(userID: nil) else { throw APIError(403, Self.everyUserForbiddenMessage) }
            userID = nil
        } else {
            let resolved = try await resolveUserParameter(user.isEmpty ? "me" : user)
            guard authorizer.mayManageWebhook(userID: resolved.userID) else { throw APIError.notFound }
            userID = resolved.userID
        }
        return try await database.createWebhook(url: url, events: events, userID: userID, createdBy: actor.id)
    }

    /// Every subscription the caller may manage, oldest first.
    public func webhooks() async throws -> [WebhookSubscription] {
        try await database.webhooks(userID: authorizer.listableWebhooksUserID)
    }

    /// A subscription the caller may manage, by its lowercased UUID; 404 otherwise.
    public func webhook(id: String) async throws -> ManagedWebhook {
        guard let subscription = try await database.webhook(id: id), authorizer.mayManageWebhook(userID: subscription.user_id)
        else { throw APIError.notFound }
        return ManagedWebhook(subscription: subscription)
    }

    /// Deletes the subscription and its undelivered events.
    public func delete(_ webhook: ManagedWebhook) async throws {
        try await database.deleteWebhook(id: webhook.subscription.id)
    }

    /// A new secret; the previous one keeps signing for a while (`AppDatabase.rotateWebhookSecret`).
    public func rotateSecret(of webhook: ManagedWebhook) async throws -> String {
        try await database.rotateWebhookSecret(id: webhook.subscription.id)
    }

    /// The newest deliveries of the subscription, each with its attempts.
    public func deliveries(of webhook: ManagedWebhook) async throws -> [WebhookDeliveryRecord] {
        try await database.webhookDeliveries(subscriptionID: webhook.subscription.id)
    }
}

/// Proof that the caller may manage a subscription: only `AuthorizedStore.webhook(id:)` makes
/// one (its initializer is private to this file), so no route changes a subscription unchecked.
public struct ManagedWebhook: Sendable {
    public let subscription: WebhookSubscription

    fileprivate init(subscription: WebhookSubscription) { self.subscription = subscription }
}
