import Synchronization

/// The task rows (`WorkspaceView`) of the pages `serve` served, each with the `row_version`
/// it was read at (migration 0007: triggers move it on every change a row shows, whichever
/// process writes). A list reads the page's ids with their versions from the index walk and
/// rereads only the rows whose version moved (issue #19: the rows' seven joins cost most of
/// a list). Bounded: when full it starts again empty.
final class TaskRowCache: Sendable {
    static let capacity = 4096

    private let rows = Mutex<[String: (version: Int64, view: WorkspaceView)]>([:])

    /// The rows of `page` whose version is cached; the others are missing.
    func lookup(_ page: [(id: String, version: Int64)]) -> [String: WorkspaceView] {
        rows.withLock { rows in
            var found: [String: WorkspaceView] = [:]
            found.reserveCapacity(page.count)
            for (id, version) in page {
                if let entry = rows[id], entry.version == version { found[id] = entry.view }
            }
            return found
        }
    }

    func store(_ views: [(version: Int64, view: WorkspaceView)]) {
        rows.withLock { rows in
            if rows.count + views.count > Self.capacity { rows.removeAll(keepingCapacity: true) }
            for entry in views { rows[entry.view.id] = entry }
        }
    }
}
