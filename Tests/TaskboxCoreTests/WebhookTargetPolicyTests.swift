import Testing
@testable import TaskboxCore

/// Where deliveries may go (README, "Webhooks"): URL shape, the default refusal of special
/// addresses, and `--webhook-allow` entries.
@Suite struct WebhookTargetPolicyTests {
    @Test(arguments: [
        ("https://example.com/hook", true), ("http://127.0.0.1:8080/x", true), ("http://[::1]:9/x", true),
        ("ftp://example.com/", false), ("example.com/hook", false), ("https:///nohost", false),
        ("http://user:pw@example.com/", false), ("", false), ("javascript:alert(1)", false),
    ])
    func subscriptionURLs(url: String, valid: Bool) {
        #expect((WebhookTargetPolicy.urlProblem(url) == nil) == valid)
    }

    @Test(arguments: [
        ("http://127.0.0.1:9/x", "target 127.0.0.1 is a loopback, private or special address; allow it with --webhook-allow"),
        ("http://10.1.2.3/x", "target 10.1.2.3 is a loopback, private or special address; allow it with --webhook-allow"),
        ("http://169.254.169.254/latest", "target 169.254.169.254 is a loopback, private or special address; allow it with --webhook-allow"),
        ("http://[::1]:9/x", "target ::1 is a loopback, private or special address; allow it with --webhook-allow"),
        ("http://[::ffff:192.168.1.1]/x", "target 192.168.1.1 is a loopback, private or special address; allow it with --webhook-allow"),
    ])
    func withoutAnAllowListSpecialAddressesAreRefused(url: String, refusal: String) {
        #expect(WebhookTargetPolicy().refusal(for: url) == refusal)
    }

    @Test func publicAddressesAreAllowedByDefault() {
        #expect(WebhookTargetPolicy().refusal(for: "https://93.184.215.14/hook") == nil)
    }

    @Test func anAllowListAdmitsOnlyItsHostsDomainsAndNetworks() throws {
        let policy = try WebhookTargetPolicy.parse(["127.0.0.1/8,hooks.internal", "*.corp.example", "2001:db8::/32"])
        #expect(policy.refusal(for: "http://127.0.0.1:9/x") == nil)
        #expect(policy.refusal(for: "http://127.9.9.9/x") == nil)
        #expect(policy.refusal(for: "http://hooks.internal/x") == nil)
        #expect(policy.refusal(for: "https://a.b.corp.example/x") == nil)
        #expect(policy.refusal(for: "http://[2001:db8::5]/x") == nil)
        #expect(policy.refusal(for: "https://93.184.215.14/hook") == "target 93.184.215.14 is not in the webhook allow-list")
        #expect(policy.refusal(for: "http://10.0.0.1/x") == "target 10.0.0.1 is not in the webhook allow-list")
        #expect(throws: StoreError.self) { try WebhookTargetPolicy.parse(["http://x/"]) }
        #expect(throws: StoreError.self) { try WebhookTargetPolicy.parse(["10.0.0.0/33"]) }
    }

    @Test func retriesBackOffExponentiallyForAboutADay() {
        let options = WebhookOptions()
        let delays = (1...6).map { options.retryDelay(afterFailedAttempts: $0, ageSeconds: 0) }
        #expect(delays == [.seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160)])
        #expect(options.retryDelay(afterFailedAttempts: 30, ageSeconds: 0) == .seconds(3600))
        #expect(options.retryDelay(afterFailedAttempts: 30, ageSeconds: 23 * 3600) == .seconds(3600))
        #expect(options.retryDelay(afterFailedAttempts: 30, ageSeconds: 23.5 * 3600) == nil)
    }
}
