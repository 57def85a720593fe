import Foundation
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// Task JSON escapes strings byte for byte as Go's `encoding/json` (Go ≥ 1.22) does.
@Suite struct JSONEscapingTests {
    @Test func controlCharactersAndHTMLAreEscapedAsGoEscapesThem() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let input = "a\u{8}b\u{C}c\u{1}d\u{1F}\"\\<&>\u{2028}\u{2029}\n\r\té€…\u{2029}"
            let created = try await client.createTask(token, version: f.aiVersionID, input: input, name: "escapes")
            #expect(created.status == 201, "\(created.text)")
            let expected = #""initial_prompt":"a\bb\fc\u0001d\u001f\"\\\u003c\u0026\u003e\u2028\u2029\n\r\té€…\u2029""#
            #expect(created.text.contains(expected), "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            let read = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(read.text.contains(expected), "\(read.text)")
        }
    }
}
