import ArgumentParser
import TaskboxCore

/// `serve`'s webhook delivery options (README, "Webhooks").
struct WebhookServeOptions: ParsableArguments {
    @Option(
        name: .customLong("webhook-allow"),
        help: "Hosts, *.domains, IP addresses or CIDRs webhooks may be delivered to (repeatable, comma-separated). Without it, only public addresses.")
    var allow: [String] = []
    @Option(name: .customLong("webhook-timeout"), help: "Bound on one delivery attempt, Go-style (10s).")
    var timeout: String = "10s"
    @Option(name: .customLong("webhook-retry-base"), help: "First retry delay; each retry doubles it, up to 1h.")
    var retryBase: String = "5s"
    @Option(name: .customLong("webhook-give-up-after"), help: "A delivery still failing this long after its event is given up.")
    var giveUpAfter: String = "24h"

    func options() throws -> WebhookOptions {
        func duration(_ text: String, _ flag: String) throws -> Duration {
            guard let seconds = GoDuration.seconds(text), seconds > 0 else {
                throw ValidationError("\(flag) must be a positive duration such as 500ms, 10s or 24h, got \"\(text)\"")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        let targets: WebhookTargetPolicy
        do {
            targets = allow.isEmpty ? WebhookTargetPolicy() : try WebhookTargetPolicy.parse(allow)
        } catch {
            throw ValidationError("\(error)")
        }
        return WebhookOptions(
            targets: targets, timeout: try duration(timeout, "--webhook-timeout"),
            retryBase: try duration(retryBase, "--webhook-retry-base"),
            giveUpAfter: try duration(giveUpAfter, "--webhook-give-up-after"))
    }
}
