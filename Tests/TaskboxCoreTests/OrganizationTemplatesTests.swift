import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// The template reads by organization and name that Coder's task clients make.
@Suite struct OrganizationTemplatesTests {
    @Test func templateAndVersionByOrganizationAndName() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, member) = try f.user("alice")
        let (_, outsider) = try f.user("carol")
        _ = try db.createOrganization(name: "acme")
        try await db.pool.write { db in
            try db.execute(sql: "DELETE FROM organization_members WHERE user_id = (SELECT id FROM users WHERE username = 'carol')")
        }
        try await liveApplication(db).test(.live) { client in
            var r = try await client.call(.get, "/api/v2/organizations/coder/templates/AI-TEMPLATE", token: member)
            #expect(r.status == 200 && r.object["id"] as? String == f.aiTemplateID)
            #expect(r.object["active_version_id"] as? String == f.aiVersionID)
            r = try await client.call(.get, "/api/v2/organizations/coder/templates/ai-template/versions/v1", token: member)
            #expect(r.status == 200 && r.object["id"] as? String == f.aiVersionID && r.object["name"] as? String == "v1")
            #expect((r.object["job"] as? [String: Any])?["status"] as? String == "succeeded")
            r = try await client.call(.get, "/api/v2/organizations/coder/templates/ai-template/versions/v9", token: member)
            #expect(r.status == 404 && r.text == #"{"message":"No template version found by name \"v9\"."}"# + "\n")
            r = try await client.call(.get, "/api/v2/organizations/coder/templates/nope", token: member)
            #expect(r.status == 404 && r.text == #"{"message":"Resource not found or you do not have access to this resource"}"# + "\n")
            r = try await client.call(.get, "/api/v2/organizations/acme/templates/ai-template", token: member)
            #expect(r.status == 404, "another organization's name space")
            r = try await client.call(.get, "/api/v2/organizations/coder/templates/ai-template", token: outsider)
            #expect(r.status == 404, "not a member of the organization")
            r = try await client.call(.get, "/api/v2/organizations/coder/templates", token: member)
            let names = (try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["ai-template", "plain"])
        }
    }
}
