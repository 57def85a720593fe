import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import TaskboxCore

/// A fresh directory with a real SQLite file, removed when the value goes away.
final class TestDirectory: @unchecked Sendable {
    let url: URL
    var dbPath: String { url.appendingPathComponent("taskbox.db").path }

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("taskbox-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func openDatabase() throws -> AppDatabase { try AppDatabase(path: dbPath) }
}

enum Paths {
    /// The repository root, found from this file's path.
    static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("repository root not found")
    }()

    /// The `taskbox` executable built next to the tests (`TASKBOX_BIN` overrides it).
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["TASKBOX_BIN"] { return path }
        for candidate in [".build/debug/taskbox", ".build/x86_64-unknown-linux-gnu/debug/taskbox"] {
            let path = repoRoot.appendingPathComponent(candidate).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        fatalError("taskbox binary not built; run swift build first")
    }()
}

/// The result of running the real binary.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String

    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    }
}

/// Runs `taskbox ARGS` on a database with a time limit, capturing both streams in files
/// (pipes could fill up and stall the child). The process is started and waited for on a
/// thread of its own: Swift Testing runs tests on the cooperative pool (as many threads as
/// cores), where a blocking wait would stall every other test, and Foundation's `Process`
/// is best driven from one thread from start to exit.
func runTaskbox(
    _ arguments: [String], db: String, environment: [String: String] = [:], timeout: Duration = .seconds(60)
) async throws -> CommandResult {
    let (result, timedOut) = try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try runTaskboxBlocking(arguments, db: db, environment: environment, timeout: timeout) })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    if timedOut { Issue.record("taskbox \(arguments) timed out") }
    return result
}

private func runTaskboxBlocking(
    _ arguments: [String], db: String, environment: [String: String], timeout: Duration
) throws -> (CommandResult, timedOut: Bool) {
    let dir = FileManager.default.temporaryDirectory
    let outURL = dir.appendingPathComponent("taskbox-out-\(UUID().uuidString)")
    let errURL = dir.appendingPathComponent("taskbox-err-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.binary)
    process.arguments = arguments + ["--db", db]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    var timedOut = false
    while process.isRunning {
        if ContinuousClock.now > deadline {
            process.terminate()
            timedOut = true
            break
        }
        Thread.sleep(forTimeInterval: 0.005)
    }
    process.waitUntilExit()
    let result = CommandResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    return (result, timedOut)
}

/// Builds the app's router on a database, as `serve` does, for `app.test(.router)`.
func testApplication(_ db: AppDatabase) -> some ApplicationProtocol {
    var logger = Logger(label: "taskbox-test")
    logger.logLevel = .warning
    return Application(router: buildRouter(database: db, accessURL: AccessURL("http://127.0.0.1:3000")), logger: logger)
}

/// Seeds users and tokens quickly through the store (the CLI tests cover the commands).
struct Fixture {
    let db: AppDatabase

    @discardableResult
    func user(_ name: String, roles: [SiteRole] = []) throws -> (user: UserRecord, token: String) {
        let user = try db.createUser(username: name, roles: roles)
        let token = try db.createToken(user: name).token
        return (user, token)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    /// The body as a JSON object (empty when it is not one, which the assertions then catch).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}

/// An owner `admin` on the database, and a token of theirs, through the real CLI.
func createOwnerToken(db: String) async throws -> String {
    _ = try await runTaskbox(["users", "create", "--username", "admin", "--roles", "owner"], db: db)
    return try await runTaskbox(["tokens", "create", "--user", "admin"], db: db).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// `templates push` of a manifest text through the real CLI; returns the new version's id.
func pushTemplate(_ manifest: String, in dir: TestDirectory) async throws -> String {
    let file = dir.url.appendingPathComponent("m-\(UUID().uuidString).json")
    try manifest.write(to: file, atomically: true, encoding: .utf8)
    let result = try await runTaskbox(["templates", "push", file.path, "-o", "json"], db: dir.dbPath)
    let object = try #require(try result.json() as? [String: Any], "\(result.stderr)")
    return try #require(object["template_version_id"] as? String)
}
