/// One entry of the `validations` list of Coder's error envelope (tasks-api.md §1.0.2).
public struct ValidationFailure: Codable, Equatable, Hashable, Sendable {
    public var field: String
    public var detail: String

    public init(field: String, detail: String) {
        self.field = field
        self.detail = detail
    }
}
