import Foundation
import Testing
@testable import TaskboxCore

/// `taskbox serve` as a process (taskbox.md §1).
@Suite struct ServeTests {
    let dir = TestDirectory()

    @Test func readyLineRealPortAndGracefulStop() async throws {
        let server = try await ServerProcess.start(db: dir.dbPath)
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        #expect(!server.url.hasSuffix(":0"))
        #expect(server.stdout == "taskbox listening on \(server.url)\n")
        let health = try await http(.GET, server.url + "/healthz")
        #expect(health.status == 200 && health.body == "OK")
        let info = try await http(.GET, server.url + "/api/v2/buildinfo")
        #expect(info.object["dashboard_url"] as? String == server.url)
        #expect(await server.stop(signal: SIGTERM) == 0)
        // Structured request logs on stderr, never on stdout.
        #expect(server.stderr.contains("path=/healthz"))
        #expect(server.stderr.contains("status=200"))
    }

    @Test func sigintAlsoStopsWithStatusZero() async throws {
        let server = try await ServerProcess.start(db: dir.dbPath)
        #expect(await server.stop(signal: SIGINT) == 0)
    }

    @Test func adminCommandsWriteWhileServeReads() async throws {
        let server = try await ServerProcess.start(db: dir.dbPath)
        // Users and tokens created by other processes are seen by the running server at once.
        for i in 0..<5 {
            let name = "user-\(i)"
            #expect(try await runTaskbox(["users", "create", "--username", name], db: dir.dbPath).status == 0)
            let token = try await runTaskbox(["tokens", "create", "--user", name], db: dir.dbPath).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            async let reads = (0..<10).asyncMap { _ in try await http(.GET, server.url + "/api/v2/users/me", token: token) }
            let suspend = try await runTaskbox(["users", "suspend", name, "-o", "json"], db: dir.dbPath)
            #expect(suspend.status == 0, "\(suspend.stderr)")
            for result in try await reads { #expect(result.status == 200 || result.status == 401) }
            let after = try await http(.GET, server.url + "/api/v2/users/me", token: token)
            #expect(after.status == 401)
        }
        #expect(await server.stop() == 0)
        #expect(!server.stderr.contains("database is locked"))
    }

    @Test func badListenIsRefused() async throws {
        let result = try await runTaskbox(["serve", "--listen", "nonsense"], db: dir.dbPath)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--listen"))
    }
}

extension Range where Bound == Int {
    func asyncMap<T: Sendable>(_ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for i in self { group.addTask { (i, try await body(i)) } }
            var out: [(Int, T)] = []
            for try await item in group { out.append(item) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
