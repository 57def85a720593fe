import Hummingbird

/// Endpoints about the server itself: no authentication.
struct MetaController {
    let accessURL: AccessURL
    let version: String

    struct BuildInfo: Encodable {
        var external_url: String
        var version: String
        var dashboard_url: String
        var telemetry: Bool
        var workspace_proxy: Bool
        var agent_api_version: String
        var provisioner_api_version: String
        var upgrade_message: String
        var deployment_id: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: "OK")))
        }
        router.get("/api/v2/buildinfo") { _, _ in
            try JSONResponse.make(
                BuildInfo(
                    external_url: "https://github.com/taskbox/taskbox", version: version, dashboard_url: accessURL.url,
                    telemetry: false, workspace_proxy: false, agent_api_version: "1.0", provisioner_api_version: "1.0",
                    upgrade_message: "", deployment_id: ""))
        }
    }
}
