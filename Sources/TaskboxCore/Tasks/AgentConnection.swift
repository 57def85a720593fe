/// tasks-api.md §6.5 and §1.9: an agent's connection status and health.
public struct AgentConnection: Sendable, Equatable {
    public var lifecycle: AgentLifecycleState
    public var createdAt: String
    public var firstConnectedAt: String?
    public var lastConnectedAt: String?
    public var disconnectedAt: String?
    public var connectionTimeoutSeconds: Int

    /// How long an agent may go without a heartbeat before it counts as disconnected. The
    /// supervisor refreshes `last_connected_at` at least every 30 s (taskbox.md §5).
    public static let inactiveDisconnectTimeoutSeconds = 60

    /// The same rule as the `has-agent:` SQL in WorkspaceQuery.swift.
    public func status(now: Double) -> String {
        func seconds(_ text: String) -> Double { Timestamp.epochSeconds(text) ?? 0 }
        guard let lastConnectedAt, firstConnectedAt != nil else {
            if connectionTimeoutSeconds > 0, now - seconds(createdAt) > Double(connectionTimeoutSeconds) { return "timeout" }
            return "connecting"
        }
        if let disconnectedAt, disconnectedAt > lastConnectedAt { return "disconnected" }
        if now - seconds(lastConnectedAt) > Double(Self.inactiveDisconnectTimeoutSeconds) { return "disconnected" }
        return "connected"
    }

    /// When `status(now:)` next changes by the clock alone, the agent's data unchanged, or nil
    /// when it never does: before that time the status (and `health`) is the one at `now`.
    public func statusChangesAt(after now: Double) -> Double? {
        func seconds(_ text: String) -> Double { Timestamp.epochSeconds(text) ?? 0 }
        let at: Double
        if let lastConnectedAt, firstConnectedAt != nil {
            if let disconnectedAt, disconnectedAt > lastConnectedAt { return nil }
            at = seconds(lastConnectedAt) + Double(Self.inactiveDisconnectTimeoutSeconds)
        } else {
            guard connectionTimeoutSeconds > 0 else { return nil }
            at = seconds(createdAt) + Double(connectionTimeoutSeconds)
        }
        // Past `at` the rule has already turned ("timeout", "disconnected") for good.
        return now > at ? nil : at
    }

    public func health(now: Double) -> AgentHealth {
        let status = status(now: now)
        let reason: String? =
            if status != "connected" && lifecycle == .off { "agent is not running" }
            else if status == "timeout" { "agent is taking too long to connect" }
            else if status == "disconnected" { "agent has lost connection" }
            else if lifecycle == .startError { "agent startup script exited with an error" }
            else if [.shuttingDown, .shutdownTimeout, .shutdownError].contains(lifecycle) { "agent is shutting down" }
            else { nil }
        return AgentHealth(healthy: reason == nil, reason: reason)
    }
}
