import Foundation
import GRDB
import Synchronization

/// Who an API key is, remembered for a moment so an authenticated request is one read, not
/// two (issue #19). What the store returned for a key id (the key and its user's actor) is
/// kept for at most `lifetime`. A commit that touches the tables an actor is made of empties
/// it at once: in this process through a transaction observer on the writer
/// (`TableCommitObserver`), and in every other process on the same file (an admin command
/// suspending a user while `serve` runs) through a stamp file beside the database that the
/// observer rewrites after such a commit and that a lookup compares (one `stat`). A change
/// made without taskbox (the sqlite3 shell) applies within `lifetime`.
final class ActorCache: Sendable {
    typealias Found = (key: StoredAPIKey, actor: (actor: Actor, status: String)?)

    /// The tables an answer of `apiKeyWithActor` reads.
    static let tables: Set<String> = ["api_keys", "users", "user_site_roles", "organization_members", "organization_member_roles"]
    static let lifetime: Duration = .seconds(1)
    static let capacity = 10_000

    private struct Entry {
        var found: Found
        var storedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Moves on every invalidation: an answer read before one is not stored after it.
        var generation = 0
        /// The stamp file's modification time when the entries were read.
        var stamp = timespec()
    }

    private let state = Mutex(State())
    /// `<database>-actors`: rewritten after every commit that changed an actor's tables.
    let stampPath: String

    init(databasePath: String) {
        stampPath = databasePath + "-actors"
    }

    func lookup(_ keyID: String) -> Found? {
        let now = ContinuousClock.now
        let stamp = currentStamp()
        return state.withLock { state in
            if stamp.tv_sec != state.stamp.tv_sec || stamp.tv_nsec != state.stamp.tv_nsec {
                state.stamp = stamp
                state.generation += 1
                state.entries.removeAll(keepingCapacity: true)
                return nil
            }
            guard let entry = state.entries[keyID] else { return nil }
            guard now - entry.storedAt < Self.lifetime else {
                state.entries[keyID] = nil
                return nil
            }
            return entry.found
        }
    }

    /// Taken before the read whose answer is then passed to `store`.
    var generation: Int { state.withLock { $0.generation } }

    func store(_ found: Found, for keyID: String, readAt generation: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[keyID] = Entry(found: found, storedAt: now)
        }
    }

    func invalidateAll() {
        state.withLock { state in
            state.generation += 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    /// Tells every process with a cache of this file that actors changed.
    func touchStamp() {
        let fd = open(stampPath, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        // Only the modification time is compared; it is set from the clock's nanoseconds, so two
        // touches within one tick of the file system's timestamps still differ.
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var times = [now, now]
        futimens(fd, &times)
        close(fd)
    }

    private func currentStamp() -> timespec {
        var info = stat()
        guard stat(stampPath, &info) == 0 else { return timespec() }
        return info.st_mtim
    }
}
