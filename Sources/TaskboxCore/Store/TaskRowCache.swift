import Synchronization

/// The task rows (`WorkspaceView`) of the pages `serve` served, each with the `row_version`
/// it was read at (migration 0007: triggers move it on every change a row shows, whichever
/// process writes). A list reads the page's ids with their versions from the index walk and
/// rereads only the rows whose version moved (issue #19: the rows' seven joins cost most of
/// a list). Bounded: when full it starts again empty.
///
/// One thing a row shows moves no version: the heartbeat's `last_connected_at` (migration
/// 0008), which counts only through the agent's 60 s inactivity rule. A row kept longer than
/// `maximumAge` is read again, so the time it shows is at most one heartbeat (15 s) plus
/// `maximumAge` old, well inside the 60 s.
final class TaskRowCache: Sendable {
    static let capacity = 4096

    private struct Entry {
        var version: Int64
        var view: WorkspaceView
        var readAt: ContinuousClock.Instant
        var rendering: Rendering?
    }

    /// What a caller made of a row (the task list's JSON of it), kept with the row until its
    /// version moves, the row ages out, or `validUntil` (seconds since 1970) passes: a page
    /// of rows that did not change is then copied, not rebuilt.
    struct Rendering: Sendable {
        var bytes: [UInt8]
        var validUntil: Double
    }

    /// A cached row of a page: its rendering when one is still valid, else the row.
    enum Cached {
        case rendered([UInt8])
        case row(WorkspaceView)
    }

    private let rows = Mutex<[String: Entry]>([:])
    let maximumAge: Duration

    init(maximumAge: Duration = .seconds(20)) {
        self.maximumAge = maximumAge
    }

    /// The rows of `page` whose version is cached, read less than `maximumAge` ago; the others are missing.
    func lookup(_ page: [(id: String, version: Int64)]) -> [String: WorkspaceView] {
        let oldest = ContinuousClock.now - maximumAge
        return rows.withLock { rows in
            var found: [String: WorkspaceView] = [:]
            found.reserveCapacity(page.count)
            for (id, version) in page {
                if let entry = rows[id], entry.version == version, entry.readAt > oldest { found[id] = entry.view }
            }
            return found
        }
    }

    /// Like `lookup`, preferring a row's rendering valid at `now` to the row itself.
    func lookupRendered(_ page: [(id: String, version: Int64)], now: Double) -> [String: Cached] {
        let oldest = ContinuousClock.now - maximumAge
        return rows.withLock { rows in
            var found: [String: Cached] = [:]
            found.reserveCapacity(page.count)
            for (id, version) in page {
                guard let entry = rows[id], entry.version == version, entry.readAt > oldest else { continue }
                if let rendering = entry.rendering, now < rendering.validUntil {
                    found[id] = .rendered(rendering.bytes)
                } else {
                    found[id] = .row(entry.view)
                }
            }
            return found
        }
    }

    /// Keeps renderings of rows, each with the version of the row it was made from (a row
    /// that moved on meanwhile keeps none).
    func storeRenderings(_ renderings: [(id: String, version: Int64, rendering: Rendering)]) {
        rows.withLock { rows in
            for (id, version, rendering) in renderings where rows[id]?.version == version {
                rows[id]?.rendering = rendering
            }
        }
    }

    func store(_ views: [(version: Int64, view: WorkspaceView)]) {
        let now = ContinuousClock.now
        rows.withLock { rows in
            if rows.count + views.count > Self.capacity { rows.removeAll(keepingCapacity: true) }
            for entry in views { rows[entry.view.id] = Entry(version: entry.version, view: entry.view, readAt: now) }
        }
    }
}
