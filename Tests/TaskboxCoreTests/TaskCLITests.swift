import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// `taskbox login` and `taskbox task …` (issue 7): the real binary as a client of a real
/// `serve --demo`, whose echo agent answers `Echo: <input>` and reports working → idle.
@Suite struct TaskCLITests {
    let dir = TestDirectory()

    func client(_ demo: DemoServer, token: String? = nil) -> ClientEnvironment {
        ClientEnvironment(dir: dir, url: demo.url, token: token ?? demo.token)
    }

    /// Runs a client command and expects success; returns its stdout.
    @discardableResult
    func ok(_ arguments: [String], _ env: ClientEnvironment, input: String? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> String {
        let result = try await runClient(arguments, environment: env, input: input)
        #expect(result.status == 0, "taskbox \(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs a client command that must fail; returns its stderr lines.
    func fails(_ arguments: [String], _ env: ClientEnvironment, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> [String] {
        let result = try await runClient(arguments, environment: env)
        #expect(result.status != 0, "taskbox \(arguments) succeeded: \(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
        return result.stderr.split(separator: "\n").map(String.init)
    }

    func jsonArray(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "\(text)")
    }

    func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// Until the echo agent has answered the prompt (bounded by `--timeout`).
    func waitIdle(_ task: String, _ env: ClientEnvironment) async throws {
        let out = try await ok(["task", "status", task, "--watch", "--timeout", "60s", "-o", "json"], env)
        let last = try jsonObject(String(out.split(separator: "\n").last ?? ""))
        #expect((last["current_state"] as? [String: Any])?["state"] as? String == "idle")
    }

    // MARK: login and configuration

    @Test func loginChecksTheTokenAndStoresItPrivately() async throws {
        let demo = try await DemoServer.start(dir: dir)
        let env = ClientEnvironment(dir: dir)

        var errors = try await fails(["task", "list"], env)
        #expect(errors == ["error: " + "not logged in: run `taskbox login URL --token TOKEN`, or set TASKBOX_URL and TASKBOX_TOKEN"])

        // A bad token: the server's message and detail, and nothing stored.
        errors = try await fails(["login", demo.url, "--token", "00000000-bad"], env)
        #expect(errors.count == 2)
        #expect(errors.first == "error: " + CoderText.signedOut)
        #expect(errors.last?.hasPrefix("  ") == true)
        #expect(!FileManager.default.fileExists(atPath: env.configDir.path))

        // Nobody listening: the URL is named.
        errors = try await fails(["login", "http://127.0.0.1:1", "--token", demo.token], env)
        #expect(errors == ["error: cannot reach taskbox at http://127.0.0.1:1: connection refused"])

        let out = try await ok(["login", demo.url + "/", "--token", demo.token], env)
        #expect(out == "Logged in to \(demo.url) as admin\n")
        let file = env.configDir.appendingPathComponent("config.json")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: env.configDir.path)
        #expect((dirAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let stored = try jsonObject(try String(contentsOf: file, encoding: .utf8))
        #expect(stored["url"] as? String == demo.url)
        #expect(stored["token"] as? String == demo.token)

        // The stored login works; the environment overrides it.
        let list = try await runClient(["task", "list"], environment: env)
        #expect(list.status == 0 && list.stderr == "No tasks found.\n", "\(list.stderr)")
        errors = try await fails(["task", "list"], env.with(["TASKBOX_TOKEN": "00000000-bad"]))
        #expect(errors.first == "error: " + CoderText.signedOut)
        errors = try await fails(["task", "list"], env.with(["TASKBOX_URL": "http://127.0.0.1:1"]))
        #expect(errors == ["error: cannot reach taskbox at http://127.0.0.1:1: connection refused"])

        // Without TASKBOX_CONFIG_DIR the login lives under XDG_CONFIG_HOME.
        let xdg = dir.url.appendingPathComponent("xdg")
        try await ok(["login", demo.url, "--token", demo.token], env.with(["TASKBOX_CONFIG_DIR": "", "XDG_CONFIG_HOME": xdg.path]))
        #expect(FileManager.default.fileExists(atPath: xdg.appendingPathComponent("taskbox/config.json").path))
        #expect(await demo.server.stop() == 0)
    }

    // MARK: create, list, status, delete

    @Test func createListStatusAndDeleteByNameAndID() async throws {
        let demo = try await DemoServer.start(dir: dir)
        let env = client(demo)
        let longPrompt = "Hello alpha " + String(repeating: "x", count: 150)

        #expect(try await ok(["task", "create", "--template", "echo-demo", "--name", "alpha", longPrompt], env) == "alpha\n")
        let betaID = try await ok(["task", "create", "--template-version", demo.versionID, "--name", "beta", "-q", "Hello beta"], env)
            .trimmingCharacters(in: .newlines)
        #expect(UUID(uuidString: betaID) != nil)
        let gamma = try jsonObject(try await ok(["task", "create", "--name", "gamma", "--stdin", "-o", "json"], env,
                                                input: "from stdin\nsecond line"))
        #expect(gamma["name"] as? String == "gamma")
        #expect(gamma["initial_prompt"] as? String == "from stdin\nsecond line")
        #expect(gamma.keys.contains("current_state"))  // null, yet present: the server's JSON as sent

        // Another user's task, for the scope of `list`.
        #expect(try await runTaskbox(["users", "create", "--username", "bob"], db: dir.dbPath).status == 0)
        let bobToken = try await runTaskbox(["tokens", "create", "--user", "bob"], db: dir.dbPath).stdout.trimmingCharacters(in: .newlines)
        try await ok(["task", "create", "--name", "bobs", "Hello from bob"], client(demo, token: bobToken))

        for task in ["alpha", betaID, "gamma"] { try await waitIdle(task, env) }

        // The default table: the caller's tasks, the prompt cut to the width.
        let table = try await ok(["task", "list"], env.with(["COLUMNS": "60"]))
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(table)")
        #expect(lines[0].split(separator: " ") == ["NAME", "STATUS", "STATE", "AGE", "PROMPT"])
        let alphaLine = try #require(lines.first { $0.hasPrefix("alpha ") })
        #expect(alphaLine.count == 60 && alphaLine.hasSuffix("…"), "\(alphaLine)")
        // v2 task status (tasks-v2.md §2.2): `active`, where the experimental API said `running`.
        #expect(alphaLine.contains("active") && alphaLine.contains("idle") && alphaLine.contains("Hello alpha x"))
        let gammaLine = try #require(lines.first { $0.hasPrefix("gamma ") })
        #expect(gammaLine.hasSuffix("from stdin second line"))  // one line per task
        #expect(!table.contains("bobs"))

        let json = try jsonArray(try await ok(["task", "list", "-o", "json"], env))
        #expect(Set(json.compactMap { $0["name"] as? String }).isSuperset(of: ["alpha", "gamma"]) && json.count == 3)
        #expect(json.contains { $0["id"] as? String == betaID })
        #expect(json.allSatisfy { $0.keys.contains("workspace_app_id") && $0["owner_name"] as? String == "admin" })
        let all = try jsonArray(try await ok(["task", "list", "--all", "-o", "json"], env))
        #expect(all.count == 4)
        let bobs = try jsonArray(try await ok(["task", "list", "--user", "bob", "-o", "json"], env))
        #expect(bobs.map { $0["name"] as? String } == ["bobs"])
        // The v2 task grammar (tasks-v2.md §4): owner, organization and status.
        let searched = try jsonArray(try await ok(["task", "list", "-q", "organization:coder", "--status", "active", "-o", "json"], env))
        #expect(Set(searched.compactMap { $0["name"] as? String }) == ["alpha", "beta", "gamma"])
        #expect(try jsonArray(try await ok(["task", "list", "--limit", "1", "-o", "json"], env)).count == 1)
        let narrow = try await ok(["task", "list", "-c", "name,status"], env)
        #expect(narrow.split(separator: "\n").first?.split(separator: " ") == ["NAME", "STATUS"])

        // status by name, id and OWNER/NAME.
        let status = try await ok(["task", "status", "alpha"], env)
        #expect(status.split(separator: "\n").first?.split(separator: " ") == ["NAME", "STATUS", "STATE", "CHANGED", "MESSAGE"])
        #expect(status.contains("alpha") && status.contains("idle") && status.contains("Waiting for input."))
        let byID = try jsonObject(try await ok(["task", "status", betaID, "-o", "json"], env))
        #expect(byID["id"] as? String == betaID)
        let bobsTask = try jsonObject(try await ok(["task", "status", "bob/bobs", "-o", "json"], env))
        #expect(bobsTask["owner_name"] as? String == "bob")

        // Unknown tasks: by name the client says so, by id the server does.
        #expect(try await fails(["task", "status", "nope"], env) == ["error: task \"nope\" not found"])
        #expect(try await fails(["task", "status", "alp"], env) == ["error: task \"alp\" not found"])
        #expect(try await fails(["task", "status", UUID().uuidString], env) == ["error: " + CoderText.resourceNotFound])
        #expect(try await fails(["task", "delete", "-y", "nope"], env) == ["error: task \"nope\" not found"])

        // delete: no terminal and no -y is refused; -y deletes.
        #expect(try await fails(["task", "delete", "alpha"], env)
                == ["error: refusing to delete without confirmation: stdin is not a terminal; pass -y to delete"])
        #expect(try await ok(["task", "delete", "alpha", betaID, "-y"], env) == "Deleted task alpha\nDeleted task beta\n")

        // On a terminal it asks, and only "y" deletes.
        for (answer, deleted) in [("n\n", false), ("y\n", true)] {
            let terminal = try PseudoTerminal()
            let process = try ClientProcess(["task", "delete", "gamma"], environment: env, terminal: terminal.device)
            #expect(await process.waitForOutput(within: .seconds(30)) { _ in process.stderr.contains("Delete task gamma? [y/N] ") })
            terminal.type(answer)
            let status = await process.exit(within: .seconds(30))
            #expect((status == 0) == deleted, "\(process.stderr)")
            #expect(process.stdout == (deleted ? "Deleted task gamma\n" : ""))
        }
        #expect(await demo.server.stop() == 0)
    }

    // MARK: send, logs, follow

    @Test func sendWaitsForTheAgentAndLogsFollowPrintsEachEntryOnce() async throws {
        let demo = try await DemoServer.start(dir: dir)
        let env = client(demo)
        try await ok(["task", "create", "--name", "echo-one", "First prompt"], env)
        try await ok(["task", "create", "--name", "echo-two", "Other prompt"], env)

        // --wait sits out the build, the app's start and the agent's work on the prompt,
        // then the agent still echoing the previous message.
        try await ok(["task", "send", "echo-one", "--wait", "How are you?"], env)
        let follow = try ClientProcess(["task", "logs", "echo-one", "--follow"], environment: env)
        try await ok(["task", "send", "echo-one", "--wait", "--stdin"], env, input: "Second message")
        #expect(await follow.waitForOutput(within: .seconds(30)) { $0.contains("Echo: Second message") }, "\(follow.stderr)")
        try await Task.sleep(for: .seconds(2.5))  // a few more polls: nothing may repeat
        let followed = follow.stdout
        var previous = followed.startIndex
        for line in ["input   First prompt", "output  Echo: First prompt", "input   How are you?", "output  Echo: How are you?",
                     "input   Second message", "output  Echo: Second message"] {
            #expect(followed.components(separatedBy: line).count == 2, "\(line) in \(followed)")
            let found = try #require(followed.range(of: line), "\(line) in \(followed)")
            #expect(found.lowerBound > previous, "\(line) out of order in \(followed)")
            previous = found.lowerBound
        }
        #expect(followed.hasPrefix("TIME      TYPE    CONTENT\n"))

        // The whole conversation, as a table and as JSON.
        #expect(try await ok(["task", "logs", "echo-one"], env) == followed)
        let entries = try jsonArray(try await ok(["task", "logs", "echo-one", "-o", "json"], env))
        #expect(entries.allSatisfy { Set($0.keys) == ["id", "content", "type", "time"] })
        #expect(entries.suffix(2).map { $0["content"] as? String } == ["Second message", "Echo: Second message"])
        #expect(entries.suffix(2).map { $0["type"] as? String } == ["input", "output"])

        // Deleting the task ends --follow.
        try await ok(["task", "delete", "-y", "echo-one"], env)
        #expect(await follow.exit(within: .seconds(30)) == 0, "\(follow.stderr)")

        // SIGINT ends it too; with -o json every entry is one JSON line.
        try await waitIdle("echo-two", env)
        let jsonFollow = try ClientProcess(["task", "logs", "echo-two", "--follow", "-o", "json"], environment: env)
        #expect(await jsonFollow.waitForOutput(within: .seconds(30)) { $0.contains("Echo: Other prompt") })
        kill(jsonFollow.process.processIdentifier, SIGINT)
        #expect(await jsonFollow.exit(within: .seconds(10)) == 0, "\(jsonFollow.stderr)")
        let jsonLines = jsonFollow.stdout.split(separator: "\n")
        #expect(jsonLines.count == 3)
        for line in jsonLines { #expect(try jsonObject(String(line))["type"] != nil) }
        #expect(await demo.server.stop() == 0)
    }

    // MARK: presets, timeouts and server errors

    /// A template whose app is external and never answers: its task never gets a state.
    static let stuckManifest = """
        {"name": "stuck",
         "parameters": [{"name": "AI Prompt", "type": "string", "default": ""},
                        {"name": "region", "type": "string", "default": "eu", "options": ["eu", "us"]}],
         "presets": [{"name": "us", "parameters": {"region": "us"}}],
         "agents": [{"name": "main", "apps": [{"slug": "agentapi", "url": "http://127.0.0.1:1",
                     "healthcheck": {"url": "http://127.0.0.1:1/status", "interval_s": 1, "threshold": 1}}]}],
         "ai_task": {"app": "agentapi"}}
        """

    @Test func presetsTimeoutsAndServerErrorsAreReported() async throws {
        let demo = try await DemoServer.start(dir: dir)
        let env = client(demo)
        let manifest = dir.url.appendingPathComponent("stuck.json")
        try Self.stuckManifest.write(to: manifest, atomically: true, encoding: .utf8)
        #expect(try await runTaskbox(["templates", "push", manifest.path], db: dir.dbPath).status == 0)

        let stuck = try jsonObject(try await ok(["task", "create", "--template", "stuck", "--preset", "us", "--name", "stuck", "Go", "-o", "json"], env))
        // A v2 task's id is not its workspace's (tasks-v2.md §0.2).
        let stuckWorkspace = try #require(stuck["workspace_id"] as? String)
        let region = try await dir.openDatabase().pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT p.value FROM workspace_build_parameters p JOIN workspace_builds b ON b.id = p.workspace_build_id
                WHERE b.workspace_id = ? AND p.name = 'region'
                """, arguments: [stuckWorkspace])
        }
        #expect(region == "us")

        #expect(try await fails(["task", "create", "--template", "stuck", "--preset", "eu", "x"], env)
                == ["error: preset \"eu\" not found in template version \(try await activeVersion("stuck")): it has us"])
        #expect(try await fails(["task", "create", "--template", "nope", "x"], env) == ["error: template \"nope\" not found"])
        #expect(try await fails(["task", "create", "x"], env) == ["error: choose a template with --template: echo-demo, stuck"])
        let badName = try await fails(["task", "create", "--template", "echo-demo", "--name", "bad_name", "x"], env)
        #expect(badName.first == "error: Unable to create a Task with the provided name.")
        #expect(badName.count == 2 && badName[1].hasPrefix("  "), "\(badName)")

        // Bounded waits that run out.
        let watch = try await runClient(["task", "status", "stuck", "--watch", "--timeout", "2s"], environment: env)
        #expect(watch.status == 1)
        #expect(watch.stdout.hasPrefix("NAME   STATUS"), "\(watch.stdout)")
        #expect(watch.stderr.hasPrefix("error: timed out after 2s watching task stuck"), "\(watch.stderr)")

        // Without --wait, a task whose app is not up is the server's error.
        let early = try await fails(["task", "send", "stuck", "hi"], env)
        #expect(early.first?.hasPrefix("error: ") == true && early.count <= 2, "\(early)")

        // The server's envelope: message, then detail (or validations) on the second line.
        let search = try await fails(["task", "list", "-q", "bogus:1"], env)
        #expect(search == ["error: Invalid task search query.", "  bogus: \"bogus\" is not a valid query param"])
        var logs: [String] = []
        for _ in 0..<60 {
            logs = try await fails(["task", "logs", "stuck"], env)
            if logs == ["error: Cannot fetch logs for task in current state.", "  Task status is \"error\"."] { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        // v2: the unhealthy app makes the task `error`, whose logs are refused (tasks-v2.md §3.7).
        #expect(logs == ["error: Cannot fetch logs for task in current state.", "  Task status is \"error\"."], "\(logs)")
        // v2 (tasks-v2.md §7.6): a task in error cannot be sent input; no waiting.
        let send = try await fails(["task", "send", "stuck", "--wait", "--timeout", "3s", "hi"], env)
        #expect(send == ["error: task \"admin/stuck\" has status error and cannot be sent input"], "\(send)")
        #expect(await demo.server.stop() == 0)
    }

    func activeVersion(_ template: String) async throws -> String {
        try #require(try dir.openDatabase().listTemplates().first { $0.name == template }?.active_version_id)
    }
}
