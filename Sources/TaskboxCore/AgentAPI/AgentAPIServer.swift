import Hummingbird
import Logging
import ServiceLifecycle

/// An agentapi-compatible HTTP server (agentapi.md §2) in front of one agent: the Host
/// check, chi's 404/405, the controller, and the agent's own work as services beside it.
/// The echo agent and the built-in adapters (agents.md §1) are each one of these.
struct AgentAPIServer {
    static let defaultAllowedHosts = ["localhost", "127.0.0.1", "::1"]

    let input: any AgentAPIInput
    var allowedHosts: [String] = Self.defaultAllowedHosts
    /// When set, every request must carry `Authorization: Bearer <token>` (the build's agent
    /// token, which taskbox sends): other apps on the machine cannot drive this agent.
    var requiredToken: String?
    var logger: Logger

    func buildApplication(
        host: String, port: Int, services: [any Service], onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(AgentHostCheckMiddleware(allowedHosts: allowedHosts))
        if let requiredToken { router.middlewares.add(AgentTokenMiddleware(token: requiredToken)) }
        router.middlewares.add(ChiNotFoundMiddleware(knownPaths: AgentAPIController.paths))
        AgentAPIController(input: input).addRoutes(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port)),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
