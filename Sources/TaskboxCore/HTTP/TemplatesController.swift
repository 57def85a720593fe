import Hummingbird

/// The template reads a client needs to create tasks by name: templates and a version's
/// presets, in Coder's shapes (`codersdk.Template`, `codersdk.Preset`).
struct TemplatesController {
    let layer: AuthorizingLayer

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/templates", use: list)
        group.get("/api/v2/templateversions/{templateversion}/presets", use: presets)
    }

    /// Coder's site-wide template list, without its `q` filters: only templates the caller may read.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(try await context.store(layer).templates())
    }

    /// Like Coder's `ExtractTemplateVersionParam`: a bad UUID is 400, a version the caller may
    /// not read is the same 404 as a missing one.
    @Sendable func presets(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let raw = context.parameters.get("templateversion") ?? ""
        let id: String
        do {
            id = try GoUUID.parse(raw).lowercased
        } catch {
            throw APIError(400, "Invalid UUID \"\(raw)\".", detail: error.message)
        }
        guard let version = try await store.templateVersion(id: id) else { throw APIError.notFound }
        return try JSONResponse.make(try await store.presets(of: version))
    }
}
