import Foundation
import Testing

/// The store is the only layer that speaks SQL (issue 12): no file outside `Store/` imports
/// GRDB, writes SQL or touches the connection pool.
@Suite struct StructureTests {
    @Test func sqlLivesOnlyInTheStore() throws {
        let sources = Paths.repoRoot.appendingPathComponent("Sources")
        let store = sources.appendingPathComponent("TaskboxCore/Store").path + "/"
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var checked = 0
        var offenders: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".swift") {
            let path = sources.appendingPathComponent(relative).path
            if path.hasPrefix(store) { continue }
            checked += 1
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                if code == "import GRDB" || code.contains("sql:") || code.contains(".pool.") || code.contains("pool.read")
                    || code.contains("pool.write") {
                    offenders.append("\(relative):\(number + 1): \(code)")
                }
            }
        }
        #expect(checked > 50, "only \(checked) files outside Store/ were read")
        #expect(offenders.isEmpty, "SQL or the pool outside Store/:\n\(offenders.joined(separator: "\n"))")
    }

    /// Routes reach workspaces, tasks, templates, users and organizations only through
    /// `AuthorizedStore` (issue 12, Coder's dbauthz): no file under the route folders asks the
    /// authorizer itself or calls the store's unchecked per-object readers and writers.
    @Test func routesReachObjectsOnlyThroughTheAuthorizingLayer() throws {
        let core = Paths.repoRoot.appendingPathComponent("Sources/TaskboxCore")
        let authorizer = try Regex(#"\bAuthorizer\b|\bauthorizer\b|\.may(Read|Use)?[A-Za-z]*\("#)
        let rawStore = try Regex(
            #"\bdatabase\s*\.\s*(workspaceView|workspaceDetail|workspaceID|task|templateVersionInfo|templates|templateVersion|"#
                + #"presets|activeVersionID|organization|user|userWithMemberships|userReference|userProfile|listTasks|"#
                + #"listWorkspaces|prompts|createBuild|cancelBuild|setFavorite|createWorkspace|markTaskDeleted|"#
                + #"updateTaskPrompt|resolveUserParameter|queuedInputs|enqueueInput|withdrawQueuedInput)\("#)
        // Background workers act as the system for streams and queues a route authorized
        // (Coder's `AsSystemRestricted`), not for a caller.
        let system: Set = ["Tasks/TaskQueueWorker.swift", "Watch/TaskWatchHub.swift"]
        var checked = 0
        var offenders: [String] = []
        for folder in ["HTTP", "Tasks", "Watch", "Search"] {
            let directory = core.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            where name.hasSuffix(".swift") && !system.contains("\(folder)/\(name)") {
                checked += 1
                let text = try String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.hasPrefix("//") { continue }
                    if code.contains(authorizer) || code.contains(rawStore) {
                        offenders.append("\(folder)/\(name):\(number + 1): \(code)")
                    }
                }
            }
        }
        #expect(checked > 50, "only \(checked) route files were read")
        #expect(offenders.isEmpty, "authorization outside the AuthorizedStore layer:\n\(offenders.joined(separator: "\n"))")
    }
}
