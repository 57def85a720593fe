import GRDB

/// The read rules of `Authorizer` as SQL conditions, for the lists: the same rules as
/// `Authorizer.may…`, applied inside the query so a page and its count hold only readable rows.
extension Authorizer {
    /// A SQL condition on the workspace table alias that holds exactly for readable workspaces.
    public func workspaceReadFilter(alias: String) -> (sql: String, arguments: StatementArguments) {
        if actor.isOwner || actor.siteRoles.contains(.templateAdmin) { return ("1", []) }
        return ownedOrAdministeredFilter(alias: alias)
    }

    /// Rows owned by the actor or in an organization the actor administers.
    func ownedOrAdministeredFilter(alias: String) -> (sql: String, arguments: StatementArguments) {
        var arguments: StatementArguments = [actor.id]
        var sql = "(\(alias).owner_id = ?"
        let orgs = actor.adminOf.sorted()
        if !orgs.isEmpty {
            sql += " OR \(alias).organization_id IN (\(orgs.map { _ in "?" }.joined(separator: ", ")))"
            for org in orgs { arguments += [org] }
        }
        return (sql + ")", arguments)
    }

    /// A SQL condition on a task table alias that holds exactly for readable tasks.
    public func taskReadFilter(alias: String) -> (sql: String, arguments: StatementArguments) {
        actor.isOwner ? ("1", []) : ownedOrAdministeredFilter(alias: alias)
    }
}
