import Foundation
import TaskboxCore

extension TaskboxClient {
    /// A task named on the command line: its id, or its name among the caller's tasks
    /// (`OWNER/NAME` for someone else's), found through the list endpoint.
    func resolveTask(_ reference: String) async throws -> Fetched<TaskResponse> {
        if UUID(uuidString: reference) != nil { return try await task(id: reference) }
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let (owner, name) = parts.count == 2 ? (parts[0], parts[1]) : ("me", reference)
        guard !owner.isEmpty, !name.isEmpty, parts.count <= 2 else { throw CLIError("invalid task \"\(reference)\": expected a name, OWNER/NAME or an id") }
        // `name:` matches substrings; only an exact (case-insensitive, as names are unique that way) match counts.
        let found = try await tasks(query: "owner:\(Self.quoted(owner)) name:\(Self.quoted(name))")
        guard let index = found.value.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw CLIError("task \"\(reference)\" not found")
        }
        var json = JSONValue.null
        if case .array(let items) = found.json, items.indices.contains(index) { json = items[index] }
        return Fetched(value: found.value[index], json: json)
    }

    /// A search-query value in double quotes, as Coder's client writes `owner:` and `status:`.
    static func quoted(_ value: String) -> String { "\"\(value.replacingOccurrences(of: "\"", with: ""))\"" }
}
