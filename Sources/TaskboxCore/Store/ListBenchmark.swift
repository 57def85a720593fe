import Foundation
import GRDB

/// The storage baseline of `bench/run`: the list query of `GET /api/experimental/tasks`
/// (WorkspaceQuery, the same SQL the server runs) executed directly on the file, with no
/// HTTP and no JSON, by `concurrency` readers for `duration`.
public struct ListBenchmark: Sendable {
    public var query: String
    public var limit: Int
    public var username: String
    public var duration: Duration
    public var concurrency: Int

    public init(query: String, limit: Int, username: String, duration: Duration, concurrency: Int) {
        self.query = query
        self.limit = limit
        self.username = username
        self.duration = duration
        self.concurrency = concurrency
    }

    public struct Result: Sendable {
        public var operations: Int
        public var perSecond: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
    }

    /// The query as `GET /api/experimental/tasks?q=…&limit=…` builds it for `username`.
    func workspaceQuery(on database: AppDatabase) async throws -> WorkspaceQuery {
        guard let user = try database.user(nameOrID: username),
              let loaded = try await database.actor(userID: user.id)
        else { throw StoreError.notFound("user \(username) not found") }
        let authorizer = Authorizer(loaded.actor)
        var filter = try await WorkspaceSearch.parse(query, lookup: StoreSearchLookup(database: database))
        filter.hasAITask = true
        if filter.ownerUsername == "me" {
            filter.ownerID = UUID(uuidString: user.id)
            filter.ownerUsername = ""
        }
        return WorkspaceQuery(
            filter: filter, readFilter: authorizer.workspaceReadFilter(alias: "w"), requesterID: user.id,
            pagination: Pagination(limit: limit))
    }

    /// SQLite's plan (`EXPLAIN QUERY PLAN`) of each statement the list can run.
    public func queryPlans(on database: AppDatabase) async throws -> [(statement: String, plan: [String])] {
        let workspaceQuery = try await workspaceQuery(on: database)
        return try await database.pool.read { db in try workspaceQuery.queryPlans(db) }
    }

    public func run(on database: AppDatabase) async throws -> Result {
        let workspaceQuery = try await workspaceQuery(on: database)
        let deadline = ContinuousClock.now + duration
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var local: [Double] = []
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        _ = try await database.pool.read { db in try workspaceQuery.run(db) }
                        let elapsed = ContinuousClock.now - start
                        local.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
                    }
                    return local
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        func percentile(_ p: Double) -> Double { samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        return Result(operations: samples.count, perSecond: Double(samples.count) / seconds,
                      p50Microseconds: percentile(0.5), p99Microseconds: percentile(0.99))
    }
}
