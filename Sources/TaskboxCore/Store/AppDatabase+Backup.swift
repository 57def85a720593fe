import Foundation
import GRDB

extension AppDatabase {
    /// A consistent online copy with SQLite's backup API, taken from one read transaction
    /// (WAL: `serve` keeps writing meanwhile). The copy is written beside the target and
    /// renamed into place, with mode 0600, and checked with `PRAGMA integrity_check`.
    public func backup(to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(ID.random().prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError.invalid("cannot create \(temporary.path)")
        }
        do {
            let destination = try DatabaseQueue(path: temporary.path)
            try pool.backup(to: destination)
            let check = try destination.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            try destination.close()
            guard check == "ok" else { throw StoreError.invalid("the copy failed its integrity check: \(check ?? "?")") }
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
