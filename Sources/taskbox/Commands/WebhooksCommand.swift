import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox webhooks …`: subscriptions on the database file (admin; `serve` delivers).
struct Webhooks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Manage webhook subscriptions (task events signed per Standard Webhooks).",
        subcommands: [Create.self, List.self, Delete.self, Deliveries.self, RotateSecret.self])

    struct Created: Encodable {
        var id: String
        var url: String
        var events: [String]
        var secret: String
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Subscribe a URL to task events; prints the signing secret once.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Where events are POSTed (http or https).") var url: String
        @Option(help: "Comma-separated event types (default: all): \(TaskEventType.allCases.map(\.rawValue).joined(separator: ", ")).")
        var events: String = ""
        @Option(help: "Only this user's tasks (username or id); default: every user's.") var user: String?

        func run() async throws {
            try await reportingErrors {
                if let problem = WebhookTargetPolicy.urlProblem(url) { throw CLIError("invalid --url \"\(url)\": \(problem)") }
                let names = events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let types: [TaskEventType]
                switch TaskEventType.parseList(names) {
                case .success(let parsed): types = parsed
                case .failure(let invalid): throw CLIError("invalid --events: \(invalid.detail)")
                }
                let db = try database.open()
                var userID: String?
                if let user {
                    guard let record = try db.user(nameOrID: user) else { throw CLIError("user \"\(user)\" not found") }
                    userID = record.id
                }
                let created = try await db.createWebhook(url: url, events: types, userID: userID, createdBy: nil)
                if output.json {
                    return try printJSON(Created(id: created.subscription.id, url: url, events: created.subscription.events,
                                                 secret: created.secret))
                }
                printLine("created webhook \(created.subscription.id)")
                printLine("signing secret (shown only now): \(created.secret)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List subscriptions (never their secrets).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingErrors {
                let subscriptions = try await database.open().webhooks()
                if output.json { return try printJSON(subscriptions) }
                printTable(
                    ["ID", "USER", "STATUS", "EVENTS", "URL"],
                    subscriptions.map {
                        [$0.id, $0.user_id ?? "*", $0.status, $0.events.isEmpty ? "all" : $0.events.joined(separator: ","), $0.url]
                    })
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a subscription and its undelivered events.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Subscription id.") var id: String

        func run() async throws {
            try await reportingErrors {
                guard try await database.open().deleteWebhook(id: id.lowercased()) else { throw CLIError("webhook \(id) not found") }
                printLine("deleted webhook \(id)")
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Give a subscription a new secret; the old one keeps signing alongside for 24h.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Subscription id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let secret = try await database.open().rotateWebhookSecret(id: id.lowercased())
                if output.json { return try printJSON(["id": id.lowercased(), "secret": secret]) }
                printLine(secret)
            }
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "Recent deliveries, newest first, with every attempt.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Only this subscription's deliveries.") var id: String?
        @Option(help: "At most this many deliveries.") var limit: Int = 100

        func run() async throws {
            try await reportingErrors {
                let deliveries = try await database.open().webhookDeliveries(subscriptionID: id?.lowercased(), limit: limit)
                if output.json { return try printJSON(deliveries) }
                printTable(
                    ["ID", "SUBSCRIPTION", "EVENT", "WEBHOOK-ID", "STATUS", "ATTEMPTS", "LAST ERROR"],
                    deliveries.map {
                        [String($0.id), $0.subscription_id, $0.event_type, $0.event_id, $0.status, String($0.attempts.count),
                         $0.last_error ?? ""]
                    })
            }
        }
    }
}
