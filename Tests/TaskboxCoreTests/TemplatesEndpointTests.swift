import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// `GET /api/v2/templates` and `GET /api/v2/templateversions/{id}/presets`, which the
/// command-line client uses to create tasks by template and preset name.
@Suite struct TemplatesEndpointTests {
    let dir = TestDirectory()

    @Test func templatesListsOnlyTemplatesTheCallerMayRead() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        _ = try db.createOrganization(name: "other")
        let hidden = try db.pushTemplate(manifestData: Data(TaskFixture.aiManifest(name: "elsewhere").utf8), organization: "other")
        let (_, member) = try f.user("alice")
        let (_, owner) = try f.user("root", roles: [.owner])
        let (_, auditor) = try f.user("audit", roles: [.auditor])
        try await testApplication(db).test(.router) { client in
            let response = try await client.call(.get, "/api/v2/templates", token: member)
            #expect(response.status == 200, "\(response.text)")
            let templates = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [[String: Any]])
            #expect(templates.map { $0["name"] as? String } == ["ai-template", "plain"])
            let ai = try #require(templates.first)
            #expect(ai["id"] as? String == f.aiTemplateID)
            #expect(ai["active_version_id"] as? String == f.aiVersionID)
            #expect(ai["display_name"] as? String == "AI Template")
            #expect(ai["organization_name"] as? String == "coder")
            #expect(ai["deprecated"] as? Bool == false)
            for key in ["organization_id", "icon", "description", "created_at", "updated_at"] { #expect(ai[key] != nil, "\(key)") }

            for token in [owner, auditor] {
                let all = try await client.call(.get, "/api/v2/templates", token: token)
                let names = try #require(try JSONSerialization.jsonObject(with: Data(all.text.utf8)) as? [[String: Any]])
                    .compactMap { $0["id"] as? String }
                #expect(names.contains(hidden.template_id))
                #expect(names.count == 3)
            }
            #expect(try await client.call(.get, "/api/v2/templates", token: nil).status == 401)
        }
    }

    @Test func presetsUseCodersShapeAndHideUnreadableVersions() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        _ = try db.createOrganization(name: "other")
        let hidden = try db.pushTemplate(manifestData: Data(TaskFixture.aiManifest(name: "elsewhere").utf8), organization: "other")
        let (_, member) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let response = try await client.call(.get, "/api/v2/templateversions/\(f.aiVersionID)/presets", token: member)
            #expect(response.status == 200, "\(response.text)")
            let presets = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [[String: Any]])
            #expect(presets.count == 1)
            let preset = try #require(presets.first)
            #expect(Set(preset.keys) == ["ID", "Name", "Parameters"])
            #expect(preset["Name"] as? String == "fast")
            #expect(UUID(uuidString: preset["ID"] as? String ?? "") != nil)
            let parameters = try #require(preset["Parameters"] as? [[String: Any]])
            #expect(parameters.map { $0["Name"] as? String } == ["AI Prompt"])
            #expect(parameters.map { $0["Value"] as? String } == ["from preset"])

            let none = try await client.call(.get, "/api/v2/templateversions/\(f.plainVersionID)/presets", token: member)
            #expect(none.status == 200 && none.text == "[]\n", "\(none.text)")
            let other = try await client.call(.get, "/api/v2/templateversions/\(hidden.template_version_id)/presets", token: member)
            #expect(other.status == 404)
            #expect(other.object["message"] as? String == CoderText.resourceNotFound)
            let missing = try await client.call(.get, "/api/v2/templateversions/\(UUID().uuidString)/presets", token: member)
            #expect(missing.status == 404)
            let bad = try await client.call(.get, "/api/v2/templateversions/xyz/presets", token: member)
            #expect(bad.status == 400)
            #expect(bad.object["message"] as? String == "Invalid UUID \"xyz\".")
            #expect(bad.object["detail"] as? String == "invalid UUID length: 3")
        }
    }
}
