import Foundation

/// Actions on the RBAC resource `task` (tasks-v2.md §1.6).
public enum TaskAction: Sendable {
    case create, read, update, delete
}

/// What the authorizer needs to know of a task.
public struct TaskObject: Sendable {
    public var ownerID: String
    public var organizationID: String
}

extension Authorizer {
    /// tasks-v2.md §1.6: site owners every task, organization admins every task of their
    /// organization, everyone else (template admins and auditors included) their own. The
    /// four actions are granted alike.
    public func may(_ action: TaskAction, _ task: TaskObject) -> Bool {
        actor.isOwner || task.ownerID == actor.id || actor.adminOf.contains(task.organizationID)
    }
}
