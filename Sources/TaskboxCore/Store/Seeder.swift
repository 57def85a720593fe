import Foundation
import GRDB

/// Fills a database with realistic data fast (one transaction, prepared statements), for
/// benchmarks and large-list tests: users across three organizations, AI and plain templates,
/// workspaces (80% tasks) with builds in every status, agents and apps for started builds,
/// app statuses and favourites.
public struct Seeder {
    /// What was created for one workspace, so tests can compute expected answers independently.
    public struct Workspace: Sendable {
        public var id: String
        public var name: String
        public var ownerIndex: Int
        public var organizationIndex: Int
        public var isTask: Bool
        public var kind: Kind
        public var favorite: Bool
        public var prompt: String
    }

    /// The latest build's state.
    public enum Kind: Int, CaseIterable, Sendable {
        case running, stopped, pending, starting, failed, canceled

        /// The workspace status of tasks-api.md §7.2.
        public var status: WorkspaceStatus {
            switch self {
            case .running: .running
            case .stopped: .stopped
            case .pending: .pending
            case .starting: .starting
            case .failed: .failed
            case .canceled: .canceled
            }
        }
    }

    public struct Result: Sendable {
        public var users: [(id: String, username: String)]
        public var organizations: [String]
        public var workspaces: [Workspace]
    }

    public var workspaces: Int
    public var users: Int
    public var seed: UInt64 = 42

    public init(workspaces: Int, users: Int, seed: UInt64 = 42) {
        self.workspaces = workspaces
        self.users = users
        self.seed = seed
    }

    static let aiManifest = """
        {"name":"bench-ai","display_name":"Bench AI","parameters":[{"name":"AI Prompt","type":"string","default":""}],
         "agents":[{"name":"main","apps":[{"slug":"agentapi","url":"http://127.0.0.1:{port}"}]}],
         "ai_task":{"app":"agentapi"}}
        """
    static let plainManifest = """
        {"name":"bench-plain","agents":[{"name":"main","apps":[{"slug":"web","url":"http://127.0.0.1:{port}"}]}]}
        """

    public func run(on database: AppDatabase) throws -> Result {
        var rng = SplitMix64(seed: seed)
        let orgNames = ["coder", "bench-org-2", "bench-org-3"]
        for name in orgNames.dropFirst() where try database.organization(nameOrID: name) == nil {
            _ = try database.createOrganization(name: name)
        }
        let orgIDs = try orgNames.map { try database.organization(nameOrID: $0)!.id }
        var aiVersions: [String] = [], plainVersions: [String] = [], templateIDs: [(ai: String, plain: String)] = []
        for org in orgIDs {
            let ai = try database.pushTemplate(manifestData: Data(Self.aiManifest.utf8), organization: org)
            let plain = try database.pushTemplate(manifestData: Data(Self.plainManifest.utf8), organization: org)
            aiVersions.append(ai.template_version_id)
            plainVersions.append(plain.template_version_id)
            templateIDs.append((ai.template_id, plain.template_id))
        }
        let start = Date().addingTimeInterval(-Double(workspaces) - 3600)

        return try database.pool.write { db in
            var userRows: [(id: String, username: String)] = []
            let now = Timestamp.now()
            let insertUser = try db.makeStatement(sql: "INSERT INTO users (id, username, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
            let insertMember = try db.makeStatement(sql: "INSERT INTO organization_members (organization_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)")
            for u in 0..<users {
                let id = ID.new()
                let name = String(format: "user-%05d", u)
                try insertUser.execute(arguments: [id, name, "\(name)@example.com", now, now])
                for org in orgIDs { try insertMember.execute(arguments: [org, id, now, now]) }
                userRows.append((id, name))
            }

            let insertWorkspace = try db.makeStatement(sql: """
                INSERT INTO workspaces (id, created_at, updated_at, owner_id, organization_id, template_id, name, favorite, last_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertJob = try db.makeStatement(sql: """
                INSERT INTO provisioner_jobs (id, type, organization_id, initiator_id, created_at, updated_at, started_at, canceled_at, completed_at, error)
                VALUES (?, 'workspace_build', ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertBuild = try db.makeStatement(sql: """
                INSERT INTO workspace_builds (id, workspace_id, build_number, transition, template_version_id, initiator_id, job_id,
                                              created_at, updated_at, has_ai_task, ai_task_sidebar_app_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertParameter = try db.makeStatement(sql: "INSERT INTO workspace_build_parameters (workspace_build_id, name, value) VALUES (?, ?, ?)")
            let insertResource = try db.makeStatement(sql: "INSERT INTO workspace_resources (id, job_id, transition, type, name, created_at) VALUES (?, ?, 'start', 'taskbox_workspace', 'workspace', ?)")
            let insertAgent = try db.makeStatement(sql: """
                INSERT INTO workspace_agents (id, resource_id, name, auth_token, lifecycle_state, first_connected_at, last_connected_at, created_at, updated_at)
                VALUES (?, ?, 'main', ?, ?, ?, ?, ?, ?)
                """)
            let insertApp = try db.makeStatement(sql: """
                INSERT INTO workspace_apps (id, agent_id, slug, url, port, health, created_at) VALUES (?, ?, ?, 'http://127.0.0.1:1', 1, ?, ?)
                """)
            let insertStatus = try db.makeStatement(sql: """
                INSERT INTO workspace_app_statuses (id, created_at, workspace_id, agent_id, app_id, state, message) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)

            var seeded: [Workspace] = []
            seeded.reserveCapacity(workspaces)
            for i in 0..<workspaces {
                let owner = Int(rng.next() % UInt64(users))
                let org = Int(rng.next() % 3)
                let isTask = rng.next() % 5 != 0
                let roll = rng.next() % 100
                let kind: Kind = roll < 45 ? .running : roll < 65 ? .stopped : roll < 75 ? .pending
                    : roll < 85 ? .starting : roll < 93 ? .failed : .canceled
                let favorite = rng.next() % 10 == 0
                let created = Timestamp.format(start.addingTimeInterval(Double(i)))
                let later = Timestamp.format(start.addingTimeInterval(Double(i) + 0.5))
                let id = ID.new()
                let name = String(format: "ws-%06d", i)
                let prompt = isTask ? "prompt number \(i): fix the bug" : ""
                let userID = userRows[owner].id
                try insertWorkspace.execute(arguments: [
                    id, created, created, userID, orgIDs[org], isTask ? templateIDs[org].ai : templateIDs[org].plain,
                    name, favorite, created,
                ])
                let version = isTask ? aiVersions[org] : plainVersions[org]

                // Build 1 is a start; a stopped workspace has a succeeded stop as build 2.
                let firstDone = kind == .running || kind == .stopped
                let job1 = ID.new()
                let (started1, canceled1, completed1, error1): (String?, String?, String?, String?) = switch kind {
                case .running, .stopped: (created, nil, created, nil)
                case .pending: (nil, nil, nil, nil)
                case .starting: (created, nil, nil, nil)
                case .failed: (created, nil, created, "terraform apply failed")
                case .canceled: (created, created, created, nil)
                }
                try insertJob.execute(arguments: [job1, orgIDs[org], userID, created, created, started1, canceled1, completed1, error1])
                var appID: String?
                var agentID: String?
                if firstDone {
                    let resource = ID.new()
                    try insertResource.execute(arguments: [resource, job1, created])
                    agentID = ID.new()
                    try insertAgent.execute(arguments: [
                        agentID, resource, ID.random(), kind == .running ? AgentLifecycleState.ready : .off, created, created, created, created,
                    ])
                    appID = ID.new()
                    try insertApp.execute(arguments: [appID, agentID, isTask ? "agentapi" : "web", AppHealth.disabled, created])
                }
                let build1 = ID.new()
                let aiFlag: Bool? = firstDone ? isTask : nil
                try insertBuild.execute(arguments: [
                    build1, id, 1, WorkspaceTransition.start, version, userID, job1, created, created, aiFlag, aiFlag == true ? appID : nil,
                ])
                if isTask { try insertParameter.execute(arguments: [build1, "AI Prompt", prompt]) }
                if kind == .stopped {
                    let job2 = ID.new()
                    try insertJob.execute(arguments: [job2, orgIDs[org], userID, later, later, later, nil, later, nil])
                    let build2 = ID.new()
                    try insertBuild.execute(arguments: [
                        build2, id, 2, WorkspaceTransition.stop, version, userID, job2, later, later, isTask, isTask ? appID : nil,
                    ])
                    if isTask { try insertParameter.execute(arguments: [build2, "AI Prompt", prompt]) }
                }
                if isTask, let appID, let agentID, rng.next() % 2 == 0 {
                    let state = AppStatusState.allCases[Int(rng.next() % 4)]
                    try insertStatus.execute(arguments: [ID.new(), later, id, agentID, appID, state, "step \(i)"])
                }
                seeded.append(Workspace(
                    id: id, name: name, ownerIndex: owner, organizationIndex: org, isTask: isTask, kind: kind,
                    favorite: favorite, prompt: prompt))
            }
            return Result(users: userRows, organizations: orgIDs, workspaces: seeded)
        }
    }
}

/// A small deterministic generator, so seeded data is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
