import Foundation
import TaskboxCore

extension TaskboxClient {
    /// A task named on the command line: an id, a name among the caller's tasks, or
    /// `OWNER/NAME`. A v2 server resolves names itself (tasks-v2.md §7); an older one is
    /// asked through its list.
    func resolveTask(_ reference: String) async throws -> Fetched<TaskResponse> {
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
            throw CLIError("invalid task identifier: \"\(reference)\"")
        }
        let (owner, name) = parts.count == 2 ? (parts[0], parts[1]) : ("me", reference)
        if UUID(uuidString: name) != nil && parts.count == 1 { return try await task(id: name) }
        guard try await speaksV2() else { return try await resolveByList(owner: owner, name: name, reference: reference) }
        do {
            return try await get(try await tasksPath(Self.segment(name), owner: owner))
        } catch let error as ServerResponseError where error.status == 404 {
            throw CLIError("task \"\(reference)\" not found")
        }
    }

    private func resolveByList(owner: String, name: String, reference: String) async throws -> Fetched<TaskResponse> {
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

extension TaskResponse {
    /// `owner/name`, as Coder's CLI names a task in its messages.
    var ownerAndName: String { "\(owner_name)/\(name)" }
}
