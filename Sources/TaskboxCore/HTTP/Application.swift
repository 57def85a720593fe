import Hummingbird
import Logging
import NIOCore
import Synchronization

/// What `taskbox serve` is started with.
public struct ServerOptions: Sendable {
    public var host: String
    public var port: Int
    /// The URL clients and agents reach the server at; defaults to the bound listener.
    public var accessURL: String?
    public var provisioners: Int
    public var webhooks: WebhookOptions
    public var connections: ConnectionLimits
    public var isolation: Isolation
    public var watch: TaskWatchOptions

    public init(
        host: String = "127.0.0.1", port: Int = 3000, accessURL: String? = nil, provisioners: Int = 3,
        webhooks: WebhookOptions = WebhookOptions(), connections: ConnectionLimits = ConnectionLimits(),
        isolation: Isolation = .none, watch: TaskWatchOptions = TaskWatchOptions()
    ) {
        self.watch = watch
        self.host = host
        self.port = port
        self.accessURL = accessURL
        self.provisioners = provisioners
        self.webhooks = webhooks
        self.connections = connections
        self.isolation = isolation
    }
}

public enum TaskboxVersion {
    public static let current = "v0.1.0"
}

/// Assembles the router: middleware, then each controller's routes. Tests build the same
/// router and drive it with `app.test(.router)` or `.live`.
public func buildRouter(
    database: AppDatabase, accessURL: AccessURL, nameGenerator: TaskNameGenerator? = TaskNameGenerator(),
    jobs: JobNotifier = JobNotifier(), changes: TaskChangeFeed? = nil, watch: TaskWatchOptions = TaskWatchOptions(),
    logger: Logger = Logger(label: "taskbox")
) -> Router<AppRequestContext> {
    let changes = changes ?? TaskChangeFeed(database: database)
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(RequestLogMiddleware())
    router.middlewares.add(ErrorMiddleware())
    MetaController(accessURL: accessURL, version: TaskboxVersion.current).addRoutes(to: router)
    let agentToken = SystemStore<AgentTokenRole>(database)
    AgentController(store: agentToken).addRoutes(to: router)
    TaskSnapshotController(store: agentToken).addRoutes(to: router)

    // Routes hold the authorizing layer, never the database (issue #12).
    let layer = AuthorizingLayer(database)
    let authenticated = router.group().add(middleware: AuthMiddleware(authenticator: Authenticator(database: database)))
    UsersController(layer: layer).addRoutes(to: authenticated)
    TemplatesController(layer: layer).addRoutes(to: authenticated)
    OrganizationTemplatesController(layer: layer).addRoutes(to: authenticated)
    let tasks = TasksController(layer: layer, nameGenerator: nameGenerator, jobs: jobs)
    tasks.addRoutes(to: authenticated)
    TaskAppController(layer: layer).addRoutes(to: authenticated)
    TasksV2Controller(layer: layer, tasks: tasks, jobs: jobs).addRoutes(to: authenticated)
    TaskAppV2Controller(layer: layer, jobs: jobs).addRoutes(to: authenticated)
    TaskLifecycleController(layer: layer, jobs: jobs).addRoutes(to: authenticated)
    WorkspacesController(layer: layer, tasks: tasks, jobs: jobs).addRoutes(to: authenticated)
    WebhooksController(layer: layer).addRoutes(to: authenticated)
    let hubs = TaskWatchHubs(store: SystemStore(database), changes: changes, options: watch, logger: logger)
    TaskWatchController(layer: layer, hubs: hubs, changes: changes, options: watch).addRoutes(to: authenticated)
    return router
}

/// The whole server. `onListening` receives the real `http://HOST:PORT` once bound.
public func buildApplication(
    database: AppDatabase, options: ServerOptions, logger: Logger,
    onListening: @escaping @Sendable (String) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let accessURL = AccessURL(options.accessURL ?? "http://\(options.host):\(options.port)")
    // Each background role gets only its part of the store (issue #12, Auth/SystemStore.swift).
    let provisioner = SystemStore<ProvisionerRole>(database)
    let supervisor = Supervisor(store: provisioner, accessURL: accessURL, logger: logger, isolation: options.isolation)
    let runner = JobRunner(
        store: provisioner, supervisor: supervisor, concurrency: options.provisioners, logger: logger,
        beforeStop: TaskSnapshotCapture(store: provisioner, logger: logger).capture)
    let webhooks = WebhookWorker(store: SystemStore(database), options: options.webhooks, logger: logger)
    let changes = TaskChangeFeed(database: database)
    let followUps = TaskQueueWorker(store: SystemStore(database), changes: changes, logger: logger)
    let router = buildRouter(database: database, accessURL: accessURL, jobs: JobNotifier { runner.wake() }, changes: changes,
        watch: options.watch, logger: logger)
    return Application(
        router: router,
        server: .http1(configuration: options.connections.http1),
        configuration: .init(
            address: .hostname(options.host, port: options.port), serverName: "taskbox",
            availableConnectionsDelegate: ConnectionLimit(maximum: options.connections.maxConnections, logger: logger)),
        services: [runner, webhooks, followUps],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? options.port
            let listening = "http://\(options.host):\(port)"
            if options.accessURL == nil { accessURL.set(listening) }
            await onListening(listening)
            // Recovery runs behind the ready line (in the runner's `run()`); no job starts before it is done.
            runner.listening()
        },
        logger: logger)
}

/// The server's public URL, known for sure only once the listener is bound (port 0).
public final class AccessURL: Sendable {
    private let value: Mutex<String>
    public init(_ url: String) { value = Mutex(url) }
    public var url: String { value.withLock { $0 } }
    func set(_ url: String) { value.withLock { $0 = url } }
}

/// Tells the job runner that work was enqueued (a no-op where no runner is attached).
public struct JobNotifier: Sendable {
    let notify: @Sendable () -> Void
    public init(_ notify: @escaping @Sendable () -> Void = {}) { self.notify = notify }
    public func enqueued() { notify() }
}
