/// What the routes hold instead of the database (issue #12): it makes the `AuthorizedStore`
/// of a request's caller and nothing else, so a route cannot read or write unchecked. Made
/// at the composition root (`buildRouter`); `StructureTests` keeps `AppDatabase` out of the routes.
public struct AuthorizingLayer: Sendable {
    let database: AppDatabase

    public init(_ database: AppDatabase) { self.database = database }

    /// The store as `actor` may use it.
    func store(for actor: Actor) -> AuthorizedStore { AuthorizedStore(actor, database) }
}
