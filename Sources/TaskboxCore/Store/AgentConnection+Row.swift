import GRDB

/// One mapping from an agent's row to `AgentConnection` (issue #12), for every read that shows
/// an agent's connection: the columns to select and the decoder that reads them back.
extension AgentConnection {
    /// The connection's columns of the agent table aliased `alias`, in the order `init(row:at:)` reads.
    static func columns(_ alias: String) -> String {
        ["lifecycle_state", "created_at", "first_connected_at", "last_connected_at", "disconnected_at", "connection_timeout_seconds"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    /// The agent of `columns(_:)` selected from column `index` on; nil when the row has no agent
    /// there (an outer join that found none).
    init?(row: Row, at index: Int) throws {
        guard let lifecycle = try row.decode(AgentLifecycleState?.self, atIndex: index) else { return nil }
        self.init(
            lifecycle: lifecycle, createdAt: row[index + 1], firstConnectedAt: row[index + 2], lastConnectedAt: row[index + 3],
            disconnectedAt: row[index + 4], connectionTimeoutSeconds: row[index + 5])
    }
}
