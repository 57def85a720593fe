import ArgumentParser
import Foundation
import TaskboxCore

/// Tools for `bench/run`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark helpers: seed a database, time the list SQL directly, measure webhook delivery and watch streams.", subcommands: [Seed.self, SQL.self, WebhooksBench.self, WatchBench.self])

    struct Seed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed",
            abstract: "Fill a database with users, three organizations and workspaces (80% tasks) in every status.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "How many workspaces.") var workspaces: Int = 100_000
        @Option(help: "How many users (workspaces are spread evenly).") var users: Int = 80

        struct Summary: Encodable {
            var workspaces: Int
            var tasks: Int
            var users: Int
            var seconds: Double
            var first_user: String
            var first_user_tasks: Int
        }

        func validate() throws {
            guard workspaces >= 0, users >= 1 else { throw ValidationError("--workspaces must be >= 0 and --users >= 1") }
        }

        func run() throws {
            try reportingErrors {
                let db = try database.open()
                let start = Date()
                let result = try Seeder(workspaces: workspaces, users: users).run(on: db)
                let seconds = Date().timeIntervalSince(start)
                let tasks = result.workspaces.filter(\.isTask).count
                let first = result.workspaces.filter { $0.ownerIndex == 0 && $0.isTask }.count
                let summary = Summary(workspaces: workspaces, tasks: tasks, users: users, seconds: seconds,
                                      first_user: result.users[0].username, first_user_tasks: first)
                if output.json { return try printJSON(summary) }
                printLine(String(format: "seeded %d workspaces (%d tasks) for %d users in %.2f s; %@ owns %d tasks",
                                 workspaces, tasks, users, seconds, summary.first_user, first))
            }
        }
    }

    struct SQL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sql", abstract: "Run the task list query directly on the file and report operations/s, p50 and p99.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The caller (username).") var user: String
        @Option(name: .customLong("query"), help: "The search query, as `q`.") var query: String = ""
        @Option(help: "Page size.") var limit: Int = 25
        @Option(help: "Seconds to run.") var seconds: Int = 10
        @Option(help: "Concurrent readers.") var concurrency: Int = 2
        @Flag(help: "Print SQLite's plan of each statement of the list instead of timing it.") var explain = false

        struct Report: Encodable {
            var operations: Int
            var per_second: Double
            var p50_us: Double
            var p99_us: Double
        }

        func run() async throws {
            let db = try reportingErrors { try database.open() }
            let benchmark = ListBenchmark(
                query: query, limit: limit, username: user, duration: .seconds(seconds), concurrency: concurrency)
            if explain {
                for (statement, plan) in try await benchmark.queryPlans(on: db) {
                    printLine("\(statement):")
                    for step in plan { printLine("  \(step)") }
                }
                return
            }
            let result = try await benchmark.run(on: db)
            let report = Report(operations: result.operations, per_second: result.perSecond,
                                p50_us: result.p50Microseconds, p99_us: result.p99Microseconds)
            if output.json { return try printJSON(report) }
            printLine(String(format: "%.0f ops/s  p50 %.0f us  p99 %.0f us", report.per_second, report.p50_us, report.p99_us))
        }
    }

    struct WebhooksBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhooks",
            abstract: "Webhook delivery to an in-process loopback receiver: event→receiver latency and worker throughput.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Events sent one at a time for the latency figures.") var events: Int = 200
        @Option(help: "Events queued before the worker starts, for the throughput figure.") var backlog: Int = 2000
        @Option(help: "Subscriptions every event goes to.") var subscriptions: Int = 1

        func run() async throws {
            let db = try reportingErrors { try database.open() }
            let result = try await WebhookBenchmark(latencyEvents: events, backlog: backlog, subscriptions: subscriptions).run(on: db)
            if output.json { return try printJSON(result) }
            printLine(String(format: "%d subscription(s): latency p50 %.2f ms p99 %.2f ms; %d deliveries in %.2f s = %.0f/s",
                             result.subscriptions, result.latency_p50_ms, result.latency_p99_ms, result.backlog_deliveries,
                             result.backlog_seconds, result.deliveries_per_second))
        }
    }

    struct WatchBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Watch streams of a running serve: agent message → watcher latency against a /healthz baseline, and serve's RSS with idle watchers (bench/watch runs it).")
        @Option(help: "The server's URL.") var url: String
        @Option(help: "An API token of the task's owner.") var token: String
        @Option(help: "The task (name or id); its agent should answer at once.") var task: String
        @Option(help: "Messages sent one after the other for the latency figures.") var messages: Int = 1000
        @Option(name: .customLong("idle-watchers"), help: "Idle streams opened for the memory figure.") var idleWatchers: Int = 1000
        @Option(name: .customLong("server-pid"), help: "serve's process id, to read its RSS.") var serverPID: Int32?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let result = try await WatchBenchmark(
                url: url, token: token, task: task, messages: messages, idleWatchers: idleWatchers, serverPID: serverPID
            ).run()
            if output.json { return try printJSON(result) }
            printLine(String(format: "healthz p50 %.2f ms p99 %.2f ms; message→watcher p50 %.2f ms p99 %.2f ms over %d; RSS %d KiB → %d KiB with %d idle watchers",
                             result.healthz_p50_ms, result.healthz_p99_ms, result.latency_p50_ms, result.latency_p99_ms, result.messages,
                             result.rss_before_kb ?? 0, result.rss_with_watchers_kb ?? 0, result.idle_watchers))
        }
    }
}
