import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// Query strings decoded as Go's `url.ParseQuery` decodes them (issue #11): a client that
/// form-encodes (`+` for a space, as Go's `url.Values.Encode` and Python's `requests` do) and
/// one that writes `%20` get the same answers, and both get what the query means.
@Suite struct QueryStringTests {
    /// Go's `url.QueryEscape`: unreserved characters as they are, space as `+`, the rest `%XX`.
    static func plusEncoded(_ text: String) -> String {
        var unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        unreserved.insert(charactersIn: "-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved)!.replacingOccurrences(of: "%20", with: "+")
    }

    static func percentEncoded(_ text: String) -> String {
        plusEncoded(text).replacingOccurrences(of: "+", with: "%20")
    }

    /// Alice's tasks `alpha` (prompt "hello world", running), `beta` (prompt "1+1", running)
    /// and `gamma` (pending); Bob's `delta`.
    struct World {
        let db: AppDatabase
        let fixture: TaskFixture
        let alice: String
        let bob: String
        var ids: [String: String] = [:]
    }

    func world(_ dir: TestDirectory, client: some TestClientProtocol) async throws -> World {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        var world = World(db: db, fixture: f, alice: try f.user("alice").token, bob: try f.user("bob").token)
        for (name, input, token, build) in [
            ("alpha", "hello world", world.alice, true), ("beta", "1+1", world.alice, true),
            ("gamma", "later", world.alice, false), ("delta", "bob's", world.bob, true),
        ] {
            let created = try await client.createTask(token, version: f.aiVersionID, input: input, name: name)
            let id = try #require(created.object["id"] as? String, "\(created.text)")
            world.ids[name] = id
            if build { try await f.finishBuild(id) }
        }
        return world
    }

    static func names(_ response: (status: Int, text: String, object: [String: Any])) -> [String] {
        ((response.object["tasks"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    /// The query with spaces as `+` and as `%20`: identical status and body, both returned.
    func both(_ client: some TestClientProtocol, _ q: String, token: String, extra: String = "")
        async throws -> (status: Int, text: String, object: [String: Any]) {
        let plus = try await client.call(.get, "/api/experimental/tasks?q=\(Self.plusEncoded(q))\(extra)", token: token)
        let percent = try await client.call(.get, "/api/experimental/tasks?q=\(Self.percentEncoded(q))\(extra)", token: token)
        #expect(plus.status == percent.status, "\(q)")
        #expect(plus.text == percent.text, "\(q): \(plus.text) vs \(percent.text)")
        return plus
    }

    @Test func searchTableAnswersTheSameWithPlusAndPercentSpaces() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        _ = try db.createOrganization(name: "foobar")
        let (_, token) = try Fixture(db: db).user("alice")
        _ = try Fixture(db: db).user("wibble")
        try await testApplication(db).test(.router) { client in
            for (query, error) in ListQueryHTTPTests.search {
                let response = try await both(client, query, token: token)
                #expect(response.status == (error == nil ? 200 : 400), "\(query): \(response.text)")
            }
        }
    }

    @Test func spacesInQueriesMeanTheSameEitherWay() async throws {
        let dir = TestDirectory()
        try await testApplication(try dir.openDatabase()).test(.router) { client in
            let w = try await world(dir, client: client)
            // The issue's own example: Go's SDK sends `owner%3Ame+status%3Arunning`.
            let raw = try await client.call(.get, "/api/experimental/tasks?q=owner%3Ame+status%3Arunning", token: w.alice)
            #expect(raw.status == 200, "\(raw.text)")
            #expect(Self.names(raw) == ["alpha", "beta"])

            #expect(Self.names(try await both(client, "owner:me status:running", token: w.alice)) == ["alpha", "beta"])
            #expect(Self.names(try await both(client, "owner:me status:pending", token: w.alice)) == ["gamma"])
            #expect(Self.names(try await both(client, "  alpha  ", token: w.alice)) == ["alpha"])
            #expect(Self.names(try await both(client, #"param:"AI Prompt""#, token: w.alice)) == ["alpha", "beta", "gamma"])
            #expect(Self.names(try await both(client, #"param:"AI Nothing""#, token: w.alice)).isEmpty)
            #expect(Self.names(try await both(client, #"param:"AI Prompt=hello world""#, token: w.alice)) == ["alpha"])
            #expect(Self.names(try await both(client, #""name":"alpha" "owner":"me""#, token: w.alice)) == ["alpha"])
            // A `+` that is part of the value is sent as %2B and stays a plus.
            #expect(Self.names(try await both(client, #"param:"AI Prompt=1+1""#, token: w.alice)) == ["beta"])
            let literalPlus = try await client.call(.get, "/api/experimental/tasks?q=param:%22AI+Prompt=1+1%22", token: w.alice)
            #expect(literalPlus.status == 200)
            #expect(Self.names(literalPlus).isEmpty, "a raw + is a space: the value is \"1 1\"")
            // Errors quote the decoded query.
            let bad = try await both(client, "owner:me status:running foo:bar", token: w.alice)
            #expect(bad.status == 400)
            #expect(bad.text.contains(#"\"foo\" is not a valid query param"#), "\(bad.text)")
        }
    }

    @Test func malformedPairsAreDroppedAndTheFirstOfARepeatedKeyWins() async throws {
        let dir = TestDirectory()
        try await testApplication(try dir.openDatabase()).test(.router) { client in
            let w = try await world(dir, client: client)
            let cases: [(query: String, names: [String], count: Int)] = [
                // A malformed escape drops its pair only: no filter, the limit still applies.
                ("q=name:alpha%zz&limit=1", ["alpha"], 3),
                ("q=name:alpha%2&limit=2", ["alpha", "beta"], 3),
                ("q=name%3Abeta&limit=%zz", ["beta"], 1),
                ("q=%&limit=1", ["alpha"], 3),
                // `;` is not a separator: the pair holding it is dropped.
                ("q=name:beta;limit=1", ["alpha", "beta", "gamma"], 3),
                ("q=name:beta&x;y=1&limit=1", ["beta"], 1),
                // Repeated `q`: Go's Get takes the first.
                ("q=name:beta&q=name:alpha", ["beta"], 1),
                // Empty pairs and a key without `=` are harmless.
                ("&&q=name%3Agamma&&", ["gamma"], 1),
                ("q", ["alpha", "beta", "gamma"], 3),
                ("q=name:%61lpha", ["alpha"], 1),
            ]
            for c in cases {
                let response = try await client.call(.get, "/api/experimental/tasks?\(c.query)", token: w.alice)
                #expect(response.status == 200, "\(c.query): \(response.text)")
                #expect(Self.names(response) == c.names, "\(c.query)")
                #expect(response.object["count"] as? Int == c.count, "\(c.query)")
            }
            // A repeated pagination key is still Coder's error, decoded either way.
            let repeated = try await client.call(.get, "/api/experimental/tasks?limit=1&limit=%32", token: w.alice)
            #expect(repeated.status == 400)
            #expect(repeated.text.contains(#"Query param \"limit\" provided more than once, found 2 times."#), "\(repeated.text)")
            // after_id, limit and offset are decoded too; a `+` before a number is a space.
            let spaced = try await client.call(.get, "/api/experimental/tasks?limit=+1", token: w.alice)
            #expect(spaced.status == 400, "\(spaced.text)")
            #expect(spaced.text.contains(#"Query param \"limit\" must be a valid 32-bit positive integer"#), "\(spaced.text)")
            let afterOK = try await client.call(
                .get, "/api/experimental/tasks?after_id=\(w.ids["alpha"]!.replacingOccurrences(of: "-", with: "%2D"))&offset=%30", token: w.alice)
            #expect(Self.names(afterOK) == ["beta", "gamma"], "\(afterOK.text)")
        }
    }

    @Test func buildIDsAcceptCommaSpaceSeparatorsEitherWay() async throws {
        let dir = TestDirectory()
        try await testApplication(try dir.openDatabase()).test(.router) { client in
            let w = try await world(dir, client: client)
            var builds: [String] = []
            for name in ["alpha", "beta"] {
                let detail = try await client.call(.get, "/api/v2/workspaces/\(w.ids[name]!)", token: w.alice)
                let latest = try #require(detail.object["latest_build"] as? [String: Any])
                builds.append(try #require(latest["id"] as? String))
            }
            let plus = try await client.call(.get, "/api/experimental/aitasks/prompts?build_ids=\(builds[0]),+\(builds[1])", token: w.alice)
            let percent = try await client.call(.get, "/api/experimental/aitasks/prompts?build_ids=\(builds[0]),%20\(builds[1])", token: w.alice)
            #expect(plus.status == 200, "\(plus.text)")
            #expect(plus.text == percent.text)
            let prompts = try #require(plus.object["prompts"] as? [String: String])
            #expect(prompts == [builds[0]: "hello world", builds[1]: "1+1"])
            // Go's encoder writes a map's keys in sorted order.
            let first = plus.text.range(of: builds.min()!)!.lowerBound
            #expect(first < plus.text.range(of: builds.max()!)!.lowerBound, "\(plus.text)")
            let comma = try await client.call(.get, "/api/experimental/aitasks/prompts?build_ids=\(builds[0])%2C\(builds[1])", token: w.alice)
            #expect(comma.text == plus.text)
        }
    }

    @Test func tokensInTheQueryAreUnescaped() async throws {
        let dir = TestDirectory()
        try await testApplication(try dir.openDatabase()).test(.router) { client in
            let w = try await world(dir, client: client)
            // Every byte escaped, as a cautious client might send it.
            let escaped = w.alice.utf8.map { String(format: "%%%02X", $0) }.joined()
            for channel in ["coder_session_token", "access_token"] {
                let ok = try await client.call(.get, "/api/experimental/tasks?\(channel)=\(escaped)", token: nil)
                #expect(ok.status == 200, "\(channel): \(ok.text)")
                #expect(Self.names(ok) == ["alpha", "beta", "gamma"])
                // A `+` decodes to a space: not the token any more.
                let plus = try await client.call(.get, "/api/experimental/tasks?\(channel)=\(w.alice)+", token: nil)
                #expect(plus.status == 401, "\(channel): \(plus.text)")
                // A malformed escape drops the pair: as if no token were given.
                let malformed = try await client.call(.get, "/api/experimental/tasks?\(channel)=\(w.alice)%G1", token: nil)
                #expect(malformed.status == 401)
                #expect(malformed.object["detail"] as? String
                    == "Cookie \"coder_session_token\" or query parameter must be provided.", "\(malformed.text)")
            }
        }
    }

    @Test func decoderFollowsGoParseQuery() {
        let values = GoQuery.parse("a=1+2&b=%41%62&a=3&c&d=&;e=1&f=%zz&=g&h=%E2%82%AC&i=%ff")
        #expect(values.keys == ["a", "b", "c", "d", "", "h", "i"])
        #expect(values["a"] == ["1 2", "3"])
        #expect(values.first("a") == "1 2")
        #expect(values.first("b") == "Ab")
        #expect(values["c"] == [""])
        #expect(values["d"] == [""])
        #expect(values[""] == ["g"])
        #expect(values.first("h") == "€")
        #expect(values.first("i") == "\u{FFFD}")
        #expect(values.first("f") == "")
        #expect(GoQuery.parse(nil).keys.isEmpty)
    }
}
