import Foundation

/// A search lookup that finds only the users and organizations the caller may read, so the
/// task search grammar fails an unreadable one like an unknown one (tasks-v2.md §4).
struct ReadableSearchLookup<Base: SearchLookup>: SearchLookup {
    let base: Base
    let authorizer: Authorizer

    func organizationID(named name: String) async throws -> UUID? {
        guard let id = try await base.organizationID(named: name), authorizer.mayReadOrganization(id.lowercased) else { return nil }
        return id
    }

    func organizationName(id: UUID) async throws -> String? { try await base.organizationName(id: id) }
    func defaultOrganizationID() async throws -> UUID? { try await base.defaultOrganizationID() }

    func userID(username: String) async throws -> UUID? {
        guard let id = try await base.userID(username: username), authorizer.mayReadUser(id.lowercased) else { return nil }
        return id
    }

    func groupID(organizationID: UUID, name: String) async throws -> UUID? {
        try await base.groupID(organizationID: organizationID, name: name)
    }
}

extension TaskSearch {
    /// The grammar as `authorizer`'s actor searches.
    public static func parse(
        _ query: String, lookup: some SearchLookup, authorizer: Authorizer
    ) async throws(QueryValidationError) -> TaskFilter {
        try await parse(query, lookup: ReadableSearchLookup(base: lookup, authorizer: authorizer), callerID: authorizer.actor.id)
    }
}

extension AuthorizedStore {
    /// The task list's `q` as this caller searches.
    public func taskFilter(_ q: String) async throws(QueryValidationError) -> TaskFilter {
        try await TaskSearch.parse(q, lookup: StoreSearchLookup(database: database), authorizer: authorizer)
    }
}

extension AuthorizedStore {
    /// The workspace grammar's lookup (tasks-api.md §5): names resolve as in Coder's workspace
    /// filter; what the caller may read is filtered in the list's SQL.
    var workspaceSearchLookup: some SearchLookup { StoreSearchLookup(database: database) }
}
