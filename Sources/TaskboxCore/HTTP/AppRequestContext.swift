import Hummingbird
import NIOCore

/// Per-request state: who is asking (set by `AuthMiddleware`) and where from.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var actor: Actor?
    public let remoteAddress: String
    /// The connection, so a stream can cut off a client that falls too far behind.
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? ""
        channel = source.channel
    }

    /// taskbox.md §5: request bodies over 1 MiB are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    /// The authenticated actor; routes behind `AuthMiddleware` always have one.
    public func requireActor() throws -> Actor {
        guard let actor else { throw APIError(401, APIError.signedOutMessage, detail: Authenticator.missingTokenDetail) }
        return actor
    }

    /// The store as the authenticated actor may use it: every route's reads and writes of
    /// workspaces, tasks, templates, users and organizations go through it (issue #12).
    public func store(_ layer: AuthorizingLayer) throws -> AuthorizedStore {
        layer.store(for: try requireActor())
    }
}
