import Foundation

/// The task search grammar, `q` of the v2 task list (tasks-v2.md §4): Coder's
/// `searchquery.Tasks`. Users and organizations are looked up through `lookup`, which finds
/// only those the caller may read (`ReadableSearchLookup`), so an unreadable one fails like an
/// unknown one.
public enum TaskSearch {
    public static func parse(
        _ query: String, lookup: some SearchLookup, callerID: String
    ) async throws(QueryValidationError) -> TaskFilter {
        var filter = TaskFilter()
        if query.isEmpty { return filter }
        // §4.1 step 4: a bare element is an owner, unsplit and with its quotes.
        let values = try SearchTerms.parse(query.lowercased()) { term, values in values.add("owner", term) }
        let parser = QueryParamParser(values)
        if let owner = parser.single("owner") {
            filter.ownerID = await ownerID(owner, lookup, callerID)
            if filter.ownerID == nil {
                parser.invalidValue("owner", "user \(goQuote(owner)) either does not exist, or you are unauthorized to view them")
            }
        }
        if let organization = parser.single("organization") {
            filter.organizationID = await organizationID(organization, lookup)
            if filter.organizationID == nil {
                parser.invalidValue(
                    "organization",
                    "organization \(goQuote(organization)) either does not exist, or you are unauthorized to view it")
            }
        }
        if let status = parser.single("status") {
            // taskbox decision (tasks-v2.md §11.3): an unknown status is the caller's mistake, a 400.
            filter.status = TaskStatus(rawValue: status)
            if filter.status == nil { parser.invalidValue("status", "\(goQuote(status)) is not a valid task status") }
        }
        parser.failUnknownKeys()
        guard parser.failures.isEmpty else { throw QueryValidationError(validations: parser.failures) }
        return filter
    }

    /// `me`, a UUID taken as it is, or a username the caller may read.
    private static func ownerID(_ value: String, _ lookup: some SearchLookup, _ callerID: String) async -> String? {
        if value == "me" { return callerID }
        if let id = try? GoUUID.parse(value) { return id.lowercased }
        guard let id = try? await lookup.userID(username: value) else { return nil }
        return id.lowercased
    }

    /// A UUID taken as it is, or the name of an organization the caller may read.
    private static func organizationID(_ value: String, _ lookup: some SearchLookup) async -> String? {
        if let id = try? GoUUID.parse(value) { return id.lowercased }
        guard let id = try? await lookup.organizationID(named: value) else { return nil }
        return id.lowercased
    }
}
