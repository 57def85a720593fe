import GRDB

// The domain's states are stored as their raw values. A row holding a value outside an enum
// fails its read with GRDB's RowDecodingError (read with `Row.decode`), never a default.
extension WorkspaceTransition: DatabaseValueConvertible {}
extension ProvisionerJobStatus: DatabaseValueConvertible {}
extension WorkspaceStatus: DatabaseValueConvertible {}
extension AgentLifecycleState: DatabaseValueConvertible {}
extension AppHealth: DatabaseValueConvertible {}
extension AppStatusState: DatabaseValueConvertible {}
extension TaskStatus: DatabaseValueConvertible {}
