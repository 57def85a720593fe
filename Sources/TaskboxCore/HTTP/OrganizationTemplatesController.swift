import Hummingbird

/// The template reads Coder's task clients make by organization and name
/// (`coder task create --template NAME [--template-version NAME]`).
struct OrganizationTemplatesController {
    let layer: AuthorizingLayer

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/organizations/{organization}/templates", use: list)
        group.get("/api/v2/organizations/{organization}/templates/{templatename}", use: template)
        group.get("/api/v2/organizations/{organization}/templates/{templatename}/versions/{templateversionname}", use: version)
    }

    /// `{organization}`: a name or id of an organization the caller may read.
    func organizationTemplates(_ context: AppRequestContext, _ store: AuthorizedStore) async throws -> [TemplateRecord] {
        try await store.templates(of: try await store.organization(nameOrID: context.parameters.get("organization") ?? ""))
    }

    func named(_ context: AppRequestContext, _ store: AuthorizedStore) async throws -> TemplateRecord {
        let name = context.parameters.get("templatename") ?? ""
        guard let template = try await organizationTemplates(context, store).first(where: { $0.name.lowercased() == name.lowercased() })
        else { throw APIError.notFound }
        return template
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(try await organizationTemplates(context, context.store(layer)))
    }

    @Sendable func template(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(try await named(context, context.store(layer)))
    }

    @Sendable func version(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let template = try await named(context, store)
        let name = context.parameters.get("templateversionname") ?? ""
        guard let version = try await store.templateVersion(of: template, named: name) else {
            throw APIError(404, "No template version found by name \"\(name)\".")
        }
        return try JSONResponse.make(version)
    }
}
