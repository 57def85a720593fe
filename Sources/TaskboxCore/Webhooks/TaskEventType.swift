/// What a webhook tells a subscriber about a task; raw values are the schema's CHECK values
/// and the `type` of the Standard Webhooks body.
public enum TaskEventType: String, CaseIterable, Sendable {
    case created = "task.created"
    case working = "task.working"
    case idle = "task.idle"
    case complete = "task.complete"
    case failed = "task.failed"
    case paused = "task.paused"
    case resumed = "task.resumed"
    case deleted = "task.deleted"
    /// Reserved for adapters that can tell; no built-in agent reports it yet.
    case needsInput = "task.needs_input"

    /// The event an app-status report's state stands for (tasks-api.md §8: working|idle|complete|failure).
    public init(appStatusState state: AppStatusState) {
        self =
            switch state {
            case .working: .working
            case .idle: .idle
            case .complete: .complete
            case .failure: .failed
            }
    }

    public static let invalidMessage = "Invalid event type."

    /// A comma-separated list of types, or the first unknown name.
    public static func parseList(_ names: [String]) -> Result<[TaskEventType], InvalidEventType> {
        var types: [TaskEventType] = []
        for name in names {
            guard let type = TaskEventType(rawValue: name) else { return .failure(InvalidEventType(name: name)) }
            if !types.contains(type) { types.append(type) }
        }
        return .success(types)
    }
}

public struct InvalidEventType: Error, Sendable {
    public var name: String
    public var detail: String {
        "unknown event \"\(name)\" (expected one of: \(TaskEventType.allCases.map(\.rawValue).joined(separator: ", ")))"
    }
}

/// The Standard Webhooks body `{"type","timestamp","data"}`; `data` is the Task and the state message.
struct TaskEventPayload: JSONWritable {
    var type: TaskEventType
    var timestamp: String
    var task: TaskResponse
    var message: String

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("type", type.rawValue)
        json.field("timestamp", timestamp)
        json.key("data")
        json.beginObject()
        json.key("task")
        task.write(to: &json)
        json.field("message", message)
        json.endObject()
        json.endObject()
    }
}
