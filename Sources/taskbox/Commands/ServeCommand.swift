import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TaskboxCore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP server and the provisioner.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "HOST:PORT to listen on; port 0 picks a free port (env TASKBOX_LISTEN).")
    var listen: String = ProcessInfo.processInfo.environment["TASKBOX_LISTEN"] ?? "127.0.0.1:3000"
    @Option(name: .customLong("access-url"), help: "URL clients and agents use to reach this server (default: the listener).")
    var accessURL: String?
    @Option(help: "How many provisioner jobs may run at once.") var provisioners: Int = 3
    @Option(help: "How app processes are isolated: none (apps share serve's user and view of the machine) or sandbox (bubblewrap: workspace the only writable place, database hidden, own PID namespace).")
    var isolation: Isolation = .none
    @Option(name: .customLong("max-connections"), help: "Open HTTP connections at most; more wait until one closes (default: from the descriptor limit, at most 10000).")
    var maxConnections: Int?
    @Option(name: .customLong("idle-timeout"), help: "Close a connection that reads no request for this long (Go duration).")
    var idleTimeout: String = "60s"
    @Option(name: .customLong("read-header-timeout"), help: "Close a new connection whose request header is not complete after this long (Go duration).")
    var readHeaderTimeout: String = "10s"
    @Option(name: .customLong("watch-buffer"), help: "Events a watch stream client may fall behind before it is disconnected (it resumes with Last-Event-ID).")
    var watchBuffer: Int = 256
    @Option(name: .customLong("watch-keepalive"), help: "Interval of the keep-alive comments on idle watch streams (Go duration).")
    var watchKeepAlive: String = "15s"
    @Flag(help: "Set up (or reuse) a demo: an owner `admin`, a token and an echo-agent template, and print curl lines.")
    var demo = false
    @OptionGroup var webhooks: WebhookServeOptions

    func validate() throws {
        guard Self.split(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, got \"\(listen)\"") }
        guard provisioners >= 1 else { throw ValidationError("--provisioners must be at least 1") }
        _ = try webhooks.options()
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        guard (1...100_000).contains(watchBuffer) else { throw ValidationError("--watch-buffer must be between 1 and 100000") }
        for (name, value) in [("--idle-timeout", idleTimeout), ("--read-header-timeout", readHeaderTimeout),
                              ("--watch-keepalive", watchKeepAlive)] {
            guard let seconds = GoDuration.seconds(value), seconds > 0, seconds <= 86_400 else {
                throw ValidationError("\(name) must be a positive Go duration up to 24h, like 30s or 5m, got \"\(value)\"")
            }
        }
    }

    static func duration(_ text: String) -> Duration {
        .milliseconds(Int64((GoDuration.seconds(text) ?? 1) * 1000))
    }

    static func split(_ listen: String) -> (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port)
        else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "taskbox")
        let db = try reportingErrors { try database.open() }
        let (host, port) = Self.split(listen)!
        let fileLimit = ConnectionLimits.raiseFileLimit()
        let connections = ConnectionLimits(
            readHeaderTimeout: Self.duration(readHeaderTimeout), idleTimeout: Self.duration(idleTimeout), maxConnections: maxConnections)
        logger.info("connection limits", metadata: [
            "max_connections": .stringConvertible(connections.maxConnections), "open_files_limit": .stringConvertible(fileLimit),
        ])
        do {
            try await isolation.check(dataDirectory: URL(fileURLWithPath: db.path).deletingLastPathComponent())
        } catch {
            _ = try reportingErrors { throw error }
        }
        // Apps of a previous run of this database are stopped before the listener opens; they
        // start again once it is bound (their environment carries the final access URL).
        await Supervisor.killOrphans(databasePath: db.path)
        let setup = demo ? try await Demo.prepare(database: db) : nil
        let options = ServerOptions(
            host: host, port: port, accessURL: accessURL, provisioners: provisioners, webhooks: try webhooks.options(),
            connections: connections, isolation: isolation,
            watch: TaskWatchOptions(watcherBuffer: watchBuffer, replay: max(1024, watchBuffer * 4), keepAlive: Self.duration(watchKeepAlive)))
        let app = buildApplication(database: db, options: options, logger: logger) { url in
            printLine("taskbox listening on \(url)")
            if let setup { printLine(Demo.instructions(setup, url: accessURL ?? url)) }
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

extension Isolation: ExpressibleByArgument {}
