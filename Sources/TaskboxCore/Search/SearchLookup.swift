import Foundation

/// The database questions the workspace search grammar asks (tasks-api.md §5.3), kept
/// behind a protocol so the parser stays pure. "Not found" is nil; a thrown error is
/// reported to the user exactly like "not found", as Coder does.
///
/// UUID values are taken as they are, without an existence check (Coder's behaviour: an
/// unknown id simply matches nothing), so only names need looking up.
public protocol SearchLookup: Sendable {
    /// The non-deleted organization whose name equals `name` ignoring case.
    func organizationID(named name: String) async throws -> UUID?
    /// The organization's stored name, used in the `shared_with_group` error texts.
    func organizationName(id: UUID) async throws -> String?
    func defaultOrganizationID() async throws -> UUID?
    /// The non-deleted user whose username equals `username` ignoring case.
    func userID(username: String) async throws -> UUID?
    /// taskbox has no groups: production answers nil, which yields Coder's error texts.
    func groupID(organizationID: UUID, name: String) async throws -> UUID?
}
