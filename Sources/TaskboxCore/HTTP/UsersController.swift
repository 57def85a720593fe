import Hummingbird

/// `GET /api/v2/users/{user}`: who a token belongs to (clients call it with `me` to check a login).
struct UsersController {
    let layer: AuthorizingLayer

    struct Role: Encodable { var name: String; var display_name: String }
    struct User: Encodable {
        var id: String
        var username: String
        var email: String
        var name: String
        var avatar_url: String
        var status: String
        var organization_ids: [String]
        var roles: [Role]
        var created_at: String
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/v2/users/{user}") { request, context in
            let store = try context.store(layer)
            let resolved = try await store.resolveUserParameter(context.parameters.get("user") ?? "")
            let profile = try await store.profile(resolved)
            let body = User(
                id: profile.id, username: profile.username, email: profile.email, name: profile.name,
                avatar_url: profile.avatarURL, status: profile.status, organization_ids: resolved.organizationIDs,
                roles: profile.roles.map { Role(name: $0, display_name: Self.displayName($0)) }, created_at: profile.createdAt)
            return try JSONResponse.make(body)
        }
    }

    static func displayName(_ role: String) -> String {
        switch role {
        case "owner": "Owner"
        case "template-admin": "Template Admin"
        case "user-admin": "User Admin"
        case "auditor": "Auditor"
        default: role
        }
    }
}
