import Foundation

/// The `{user}` path segment resolved as Coder's `ExtractOrganizationMembersParam` does
/// (tasks-api.md §1.0.4): the user when the caller may read it, and the memberships of that
/// user the caller may read.
public struct ResolvedUserParameter: Sendable {
    public var user: UserReference?
    public var userID: String
    public var organizationIDs: [String]
}

public struct UserReference: Sendable, Equatable {
    public var id: String
    public var username: String
}

/// Users through the authorizing layer.
extension AuthorizedStore {
    /// `unknownIsNotFound`: the v2 task routes answer an unknown user with 404 (tasks-v2.md §1.4),
    /// the experimental ones with 400.
    public func resolveUserParameter(_ value: String, unknownIsNotFound: Bool = false) async throws -> ResolvedUserParameter {
        if value.isEmpty { throw APIError(400, "\"user\" must be provided.") }
        // `me` is the caller, already loaded; anyone else takes one read.
        let user: UserReference
        var memberships: [String]
        if value == "me" {
            user = UserReference(id: actor.id, username: actor.username)
            memberships = actor.organizations.sorted()
        } else {
            let found = try await database.userWithMemberships(nameOrID: value)
            guard let found else {
                if unknownIsNotFound { throw APIError.notFound }
                throw APIError(400, "\"user\" must be an existing uuid or username.", detail: "queried user=\"\(value)\"")
            }
            (user, memberships) = found
        }
        let orgs = memberships.filter { authorizer.mayReadMembership(organizationID: $0, userID: user.id) }
        if authorizer.mayReadUser(user.id) {
            return ResolvedUserParameter(user: user, userID: user.id, organizationIDs: orgs)
        }
        if orgs.isEmpty { throw APIError.notFound }
        return ResolvedUserParameter(user: nil, userID: user.id, organizationIDs: orgs)
    }

    /// The owner a create names in `{user}`: the user itself when readable, otherwise only
    /// through a readable membership of `organizationID` (tasks-api.md §1.2 step 5); 404 else.
    public func owner(_ resolved: ResolvedUserParameter, organizationID: String) async throws -> UserReference {
        if let user = resolved.user { return user }
        guard resolved.organizationIDs.contains(organizationID),
              let user = try await database.userReference(id: resolved.userID)
        else { throw APIError.notFound }
        return user
    }

    /// The profile of a user the caller may read (`GET /api/v2/users/{user}`); 404 otherwise.
    func profile(_ resolved: ResolvedUserParameter) async throws -> UserProfile {
        guard let user = resolved.user, let profile = try await database.userProfile(id: user.id) else {
            throw APIError.notFound
        }
        return profile
    }
}
