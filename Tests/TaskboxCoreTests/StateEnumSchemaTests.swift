import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// The state enums and the schema cannot drift (issue #12): each enum's raw values are exactly
/// the values the SQL of a freshly migrated database file allows or derives. The expected
/// lists are parsed from that SQL, never taken from the enums.
@Suite struct StateEnumSchemaTests {
    /// The SQL of every table, view and trigger of a new database, by name.
    static func schema() throws -> [String: String] {
        let dir = TestDirectory()
        _ = try dir.openDatabase()
        let queue = try DatabaseQueue(path: dir.dbPath)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
                .reduce(into: [:]) { $0[$1["name"] as String] = $1["sql"] as String }
        }
    }

    @Test(arguments: [
        ("workspace_builds", "transition", WorkspaceTransition.allCases.map(\.rawValue)),
        ("workspace_resources", "transition", WorkspaceTransition.allCases.map(\.rawValue)),
        ("workspace_agents", "lifecycle_state", AgentLifecycleState.allCases.map(\.rawValue)),
        ("workspace_apps", "health", AppHealth.allCases.map(\.rawValue)),
        ("workspace_app_statuses", "state", AppStatusState.allCases.map(\.rawValue)),
        ("webhook_events", "type", TaskEventType.allCases.map(\.rawValue)),
    ])
    func enumIsTheColumnsCheckList(table: String, column: String, cases: [String]) throws {
        let sql = try #require(try Self.schema()[table], "no table \(table)")
        let allowed = SQLText(sql).checkList(column: column)
        #expect(!allowed.isEmpty, "no CHECK (\(column) IN (…)) in \(table)")
        #expect(cases.sorted() == allowed.sorted())
    }

    @Test func jobStatusIsWhatTheGeneratedColumnDerives() throws {
        let sql = try #require(try Self.schema()["provisioner_jobs"])
        let derived = try #require(SQLText(sql).caseResults(after: "GENERATED ALWAYS AS ("))
        #expect(ProvisionerJobStatus.allCases.map(\.rawValue).sorted() == Set(derived).sorted())
    }

    /// Every place the schema turns a job status into a workspace status (the list keys).
    @Test func workspaceStatusIsWhatTheListKeysDerive() throws {
        let derivations = try Self.schema().values.flatMap { SQLText($0).allCaseResults(startingWith: "CASE j.job_status") }
        #expect(!derivations.isEmpty, "no CASE j.job_status in the schema")
        for derived in derivations {
            #expect(WorkspaceStatus.allCases.map(\.rawValue).sorted() == Set(derived).sorted())
        }
    }

    @Test func taskStatusIsWhatTheViewDerives() throws {
        let sql = try #require(try Self.schema()["tasks_with_status"])
        let derived = try #require(SQLText(sql).caseResults(endingWith: "AS status"))
        #expect(TaskStatus.allCases.map(\.rawValue).sorted() == Set(derived).sorted())
    }

    @Test func aRowWithAStateNoEnumKnowsFailsItsRead() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let id = try await f.plainWorkspace(owner: try f.user("alice").user)
        #expect(try await db.workspaceView(id: id)?.agent?.lifecycle.rawValue == "ready")
        // Written past the CHECK (a newer taskbox's value, a hand edit): an error, not a default.
        let queue = try DatabaseQueue(path: dir.dbPath)
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE workspace_agents SET lifecycle_state = 'dancing'")
        }
        try queue.close()
        await #expect(throws: RowDecodingError.self) { try await db.workspaceView(id: id) }
        await #expect(throws: RowDecodingError.self) { try await db.workspaceDetail(id: id) }
    }

    @Test func everyProvisionerJobAndTransitionHasAWorkspaceStatus() {
        // tasks-api.md §7.2, written out: job status → (start, stop, delete).
        let table: [String: [String]] = [
            "pending": ["pending", "pending", "pending"], "running": ["starting", "stopping", "deleting"],
            "succeeded": ["running", "stopped", "deleted"], "canceling": ["canceling", "canceling", "canceling"],
            "canceled": ["canceled", "canceled", "canceled"], "failed": ["failed", "failed", "failed"],
        ]
        for job in ProvisionerJobStatus.allCases {
            let statuses = [WorkspaceTransition.start, .stop, .delete].map { WorkspaceStatus(job: job, transition: $0).rawValue }
            #expect(statuses == table[job.rawValue], "\(job)")
        }
    }
}

/// Just enough of SQL's lexical structure to read CHECK lists and CASE results.
struct SQLText {
    enum Token: Equatable {
        case word(String)
        case string(String)
        case symbol(Character)
    }

    let text: String
    init(_ text: String) { self.text = text }

    /// The string literals of `CHECK (column IN ('a', 'b', …))`.
    func checkList(column: String) -> [String] {
        let pattern = #"CHECK\s*\(\s*"# + column + #"\s+IN\s*\(([^)]*)\)"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text)
        else { return [] }
        return SQLText(String(text[range])).tokens().compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// The literals the first CASE after `marker` yields (after THEN and ELSE, nested CASEs included).
    func caseResults(after marker: String) -> [String]? {
        guard let start = text.range(of: marker)?.upperBound else { return nil }
        return SQLText(String(text[start...])).firstCase()?.results
    }

    /// The results of every CASE expression that starts with `prefix`.
    func allCaseResults(startingWith prefix: String) -> [[String]] {
        var found: [[String]] = []
        var rest = text[...]
        while let range = rest.range(of: prefix) {
            if let results = SQLText(String(rest[range.lowerBound...])).firstCase()?.results { found.append(results) }
            rest = rest[range.upperBound...]
        }
        return found
    }

    /// The results of the top-level CASE expression followed by `suffix` (e.g. `AS status`).
    func caseResults(endingWith suffix: String) -> [String]? {
        let suffixTokens = SQLText(suffix).tokens()
        let all = tokens()
        var index = 0
        while index < all.count {
            if all[index] == .word("CASE"), let (results, end) = Self.readCase(all, from: index) {
                if Array(all[end..<min(all.count, end + suffixTokens.count)]) == suffixTokens { return results }
                index = end
            } else {
                index += 1
            }
        }
        return nil
    }

    private func firstCase() -> (results: [String], end: Int)? {
        let all = tokens()
        guard let start = all.firstIndex(of: .word("CASE")) else { return nil }
        return Self.readCase(all, from: start)
    }

    /// From a CASE token to its END: the literals after THEN/ELSE, and the index after END.
    private static func readCase(_ tokens: [Token], from start: Int) -> (results: [String], end: Int)? {
        var depth = 0
        var results: [String] = []
        var index = start
        while index < tokens.count {
            switch tokens[index] {
            case .word("CASE"): depth += 1
            case .word("END"):
                depth -= 1
                if depth == 0 { return (results, index + 1) }
            case .word("THEN"), .word("ELSE"):
                if index + 1 < tokens.count, case .string(let value) = tokens[index + 1] { results.append(value) }
            case .word, .string, .symbol: break
            }
            index += 1
        }
        return nil
    }

    /// Words upper-cased, string literals unquoted, anything else one symbol per character.
    func tokens() -> [Token] {
        var tokens: [Token] = []
        var chars = Array(text)[...]
        while let c = chars.first {
            if c == "'" {
                var value = ""
                chars = chars.dropFirst()
                while let d = chars.first {
                    chars = chars.dropFirst()
                    if d == "'" {
                        if chars.first == "'" { value.append("'"); chars = chars.dropFirst() } else { break }
                    } else {
                        value.append(d)
                    }
                }
                tokens.append(.string(value))
            } else if c.isLetter || c == "_" || c.isNumber {
                let word = chars.prefix { $0.isLetter || $0 == "_" || $0.isNumber || $0 == "." }
                tokens.append(.word(String(word).uppercased()))
                chars = chars.dropFirst(word.count)
            } else {
                if !c.isWhitespace { tokens.append(.symbol(c)) }
                chars = chars.dropFirst()
            }
        }
        return tokens
    }
}
