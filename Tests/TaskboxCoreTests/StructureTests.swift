import Foundation
import Testing

/// The store is the only layer that speaks SQL (issue 12): no file outside `Store/` imports
/// GRDB, writes SQL or touches the connection pool.
@Suite struct StructureTests {
    /// A pattern whose `\b` is a boundary between word and non-word characters: Swift's
    /// default (Unicode's word rules) sees `APIError.notFound` or `layer.database.x` as one word.
    static func pattern(_ text: String) throws -> Regex<AnyRegexOutput> {
        try Regex(text).wordBoundaryKind(.simple)
    }

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
    /// The store knows no HTTP (issue 12): it throws `StoreRefusal`s, which one file in `HTTP/`
    /// turns into Coder's envelope, and returns domain values, which the routes write as JSON.
    @Test func theStoreKnowsNoHTTP() throws {
        let store = Paths.repoRoot.appendingPathComponent("Sources/TaskboxCore/Store")
        let http = try Self.pattern(#"\bAPIError\b|\bJSONWritable\b|\bTaskResponse\b|\bResponse\(|import Hummingbird|HTTPResponse"#)
        var checked = 0
        var offenders: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: store.path).sorted() where name.hasSuffix(".swift") {
            checked += 1
            let text = try String(contentsOfFile: store.appendingPathComponent(name).path, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                if code.contains(http) { offenders.append("Store/\(name):\(number + 1): \(code)") }
            }
        }
        #expect(checked > 30, "only \(checked) store files were read")
        #expect(offenders.isEmpty, "HTTP in the store:\n\(offenders.joined(separator: "\n"))")
    }

    @Test func routesReachObjectsOnlyThroughTheAuthorizingLayer() throws {
        let core = Paths.repoRoot.appendingPathComponent("Sources/TaskboxCore")
        let authorizer = try Self.pattern(#"\bAuthorizer\b|\bauthorizer\b|\.may(Read|Use)?[A-Za-z]*\("#)
        let rawStore = try Self.pattern(
            #"\bdatabase\s*\.\s*(workspaceView|workspaceDetail|workspaceID|task|templateVersionInfo|templates|templateVersion|"#
                + #"presets|activeVersionID|organization|user|userWithMemberships|userReference|userProfile|listTasks|"#
                + #"listWorkspaces|prompts|createBuild|cancelBuild|setFavorite|createWorkspace|markTaskDeleted|"#
                + #"updateTaskPrompt|resolveUserParameter|queuedInputs|enqueueInput|withdrawQueuedInput|hasQueuedInputs|"#
                + #"taskSnapshot|sidebarApp|workspaceViews|createWebhook|webhooks|webhook|deleteWebhook|rotateWebhookSecret|"#
                + #"webhookDeliveries)\("#)
        var checked = 0
        var offenders: [String] = []
        for folder in ["HTTP", "Tasks", "Watch", "Search"] {
            let directory = core.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            where name.hasSuffix(".swift") {
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

    /// `AppDatabase` is handed out only at the composition root (issue #12): routes hold an
    /// `AuthorizingLayer`, background roles a `SystemStore` of their own, so nothing under these
    /// folders can reach the raw store, not even through the `database` inside those values.
    @Test func onlyTheCompositionRootHoldsTheDatabase() throws {
        let core = Paths.repoRoot.appendingPathComponent("Sources/TaskboxCore")
        let compositionRoot: [String: String] = [
            "HTTP/Application.swift": "buildRouter and buildApplication hand each route and worker its part of the store",
            "Webhooks/WebhookBenchmark.swift": "the benchmark seeds its own database and starts a deliverer on it, as a test does",
        ]
        for (path, reason) in compositionRoot {
            #expect(FileManager.default.fileExists(atPath: core.appendingPathComponent(path).path), "\(path) (\(reason)) is gone")
        }
        let database = try Self.pattern(#"\bAppDatabase\b|\.database\b"#)
        var checked = 0
        var offenders: [String] = []
        for folder in ["HTTP", "Tasks", "Watch", "Search", "Webhooks", "Provisioner", "AgentAPI", "Agents"] {
            let directory = core.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            where name.hasSuffix(".swift") && compositionRoot["\(folder)/\(name)"] == nil {
                checked += 1
                let text = try String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains(database) {
                    offenders.append("\(folder)/\(name):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(checked > 80, "only \(checked) files were read")
        #expect(offenders.isEmpty, "AppDatabase outside the composition root:\n\(offenders.joined(separator: "\n"))")
    }
}
