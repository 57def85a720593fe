import Foundation
import Testing
@testable import TaskboxCore

/// Graceful shutdown of `serve` and its job runner (taskbox.md §3): SIGTERM lets the running
/// jobs finish before the apps stop and the process exits.
@Suite(.serialized) struct JobRunnerShutdownTests {
    var dir = TestDirectory()

    @Test func sigtermWaitsForTheRunningStopJobToFinish() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        // It ignores SIGTERM: its stop job lasts the 10 s grace period, then SIGKILLs it.
        let stubborn = try await p.push(p.manifest(name: "stubborn", command: ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]))
        var server = try await ServerProcess.start(db: dir.dbPath)
        let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                     body: #"{"template_version_id":"\#(stubborn)","input":"x"}"#)
        let id = try #require(created.object["id"] as? String)
        defer {
            let pidFile = dir.url.appendingPathComponent("workspaces/\(id)/agent.pid")
            if let pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        try await p.waitForWorkspace(server, id, token: token) { ProvisionerTests.build($0)["status"] as? String == "running" }
        let stop = try await http(.POST, server.url + "/api/v2/workspaces/\(id)/builds", token: token, body: #"{"transition":"stop"}"#)
        #expect(stop.status == 201)
        try await p.waitForWorkspace(server, id, token: token) { ProvisionerTests.build($0)["status"] as? String == "stopping" }

        let stopping = ContinuousClock.now
        #expect(await server.stop(timeout: .seconds(30)) == 0)
        let stopTime = ContinuousClock.now - stopping
        print("serve with a running stop job exited on SIGTERM in \(stopTime)")
        #expect(stopTime > .seconds(5), "serve waited for the job's grace period")

        // The job ended before serve did: a job left running would now fail as interrupted.
        server = try await ServerProcess.start(db: dir.dbPath)
        let after = try await http(.GET, server.url + "/api/v2/workspaces/\(id)", token: token).object
        let build = ProvisionerTests.build(after)
        #expect(build["status"] as? String == "stopped")
        #expect((build["job"] as? [String: Any])?["status"] as? String == "succeeded")
        #expect((build["job"] as? [String: Any])?["error"] is NSNull)
        #expect(await server.stop() == 0)
    }

    /// The supervisor's healthchecks, heartbeat and exit handling are children of the job
    /// runner's task group: SIGTERM while apps run and their healthchecks probe them stops
    /// the apps, ends those children, and serve exits 0 soon, leaving no app process behind
    /// and no write cut short.
    @Test func sigtermWithHealthcheckedAppsRunningExitsPromptlyAndLeavesNoProcess() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        let echo = try await p.push(p.manifest(name: "echo"))
        let server = try await ServerProcess.start(db: dir.dbPath)
        var ids: [String] = []
        for _ in 0..<2 {
            let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                         body: #"{"template_version_id":"\#(echo)","input":"x"}"#)
            ids.append(try #require(created.object["id"] as? String, "\(created.body)"))
        }
        let workspaces = dir.url.appendingPathComponent("workspaces").path + "/"
        func appProcesses() -> [pid_t] {
            ProcessTable.find { environ in environ.contains { $0.hasPrefix("TASKBOX_WORKSPACE_DIR=\(workspaces)") } }
        }
        defer { for pid in appProcesses() { kill(pid, SIGKILL) } }
        for id in ids {
            try await p.waitForWorkspace(server, id, token: token) { ProvisionerTests.firstApp($0)["health"] as? String == "healthy" }
        }
        #expect(appProcesses().count >= 2)

        let stopping = ContinuousClock.now
        #expect(await server.stop(timeout: .seconds(30)) == 0)
        let stopTime = ContinuousClock.now - stopping
        print("serve with 2 healthchecked apps exited on SIGTERM in \(stopTime)")
        // The echo agent ends on SIGTERM: nothing waits for the 10 s grace period.
        #expect(stopTime < .seconds(8))
        #expect(appProcesses() == [])
        #expect(!server.stderr.contains("cannot record"), "\(server.stderr.suffix(3000))")
    }
}
