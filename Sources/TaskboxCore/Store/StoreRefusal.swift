/// What a store write refuses, in the domain's terms. The store knows no HTTP: one place,
/// `HTTP/StoreRefusal+APIError.swift`, turns each case into Coder's envelope and status.
public enum StoreRefusal: Error, Equatable, Sendable {
    /// The object is gone, or never was.
    case notFound
    /// An owner's workspaces have unique names (case-insensitive).
    case workspaceNameInUse(String)
    /// A workspace has at most one unfinished build.
    case buildActive
    /// The schema refused the build; SQLite's text.
    case buildRejected(String?)
    /// The preset is not one of the template version's.
    case presetNotFound(String)
    /// A parameter value fits neither its type nor its options.
    case invalidParameter(name: String, problem: String)
    case jobAlreadyCompleted
    case jobAlreadyCanceled
    /// A task's prompt changes only while the task is paused.
    case taskNotPaused
}
