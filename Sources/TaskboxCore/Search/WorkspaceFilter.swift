import Foundation

/// What a workspace search query asks for (tasks-api.md §5.3, §6.2). Every default means
/// "no filter".
public struct WorkspaceFilter: Equatable, Sendable {
    public var ownerUsername = ""
    /// Never set by the parser: the list handler turns owner `me` into the caller's id
    /// (tasks-api.md §5.4).
    public var ownerID: UUID?
    public var templateName = ""
    public var name = ""
    public var workspaceIDs: [UUID] = []
    /// `status:` (tasks-api.md §7.2), or nil.
    public var status: WorkspaceStatus?
    public var hasAgent = ""
    public var dormant = false
    public var lastUsedAfter: Date?
    public var lastUsedBefore: Date?
    /// `outdated:x` sets this to `!x`.
    public var usingActive: Bool?
    public var hasAITask: Bool?
    public var hasExternalAgent: Bool?
    public var organizationID: UUID?
    public var shared: Bool?
    public var sharedWithUserID: UUID?
    public var sharedWithGroupID: UUID?
    /// `param:<name>`: the workspace has the parameter.
    public var hasParam: [String] = []
    /// `param:<name>=<value>`, index-aligned with `paramValues`.
    public var paramNames: [String] = []
    public var paramValues: [String] = []
    public var agentInactiveDisconnectTimeoutSeconds = 0

    public init() {}
}
