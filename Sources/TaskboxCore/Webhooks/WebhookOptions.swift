/// How `serve` delivers webhooks.
public struct WebhookOptions: Sendable {
    /// Where deliveries may go.
    public var targets: WebhookTargetPolicy
    /// The bound on one attempt, from connecting to the end of the response.
    public var timeout: Duration
    /// The first retry's delay; each further one doubles, up to `maxRetryDelay`.
    public var retryBase: Duration
    public var maxRetryDelay: Duration
    /// A delivery still failing this long after its event is given up.
    public var giveUpAfter: Duration
    /// Deliveries in flight at once (at most one per subscription).
    public var concurrency: Int

    public init(
        targets: WebhookTargetPolicy = WebhookTargetPolicy(), timeout: Duration = .seconds(10), retryBase: Duration = .seconds(5),
        maxRetryDelay: Duration = .seconds(3600), giveUpAfter: Duration = .seconds(24 * 3600), concurrency: Int = 16
    ) {
        self.targets = targets
        self.timeout = timeout
        self.retryBase = retryBase
        self.maxRetryDelay = maxRetryDelay
        self.giveUpAfter = giveUpAfter
        self.concurrency = max(1, concurrency)
    }

    /// When the attempt after `failedAttempts` failures goes, or nil once the delivery is given up:
    /// exponential backoff (base, 2×base, 4×base, … capped), for about a day by default.
    public func retryDelay(afterFailedAttempts failedAttempts: Int, ageSeconds: Double) -> Duration? {
        let exponent = min(max(failedAttempts - 1, 0), 40)
        let base = retryBase.seconds * Double(UInt64(1) << UInt64(exponent))
        let delay = min(base, maxRetryDelay.seconds)
        guard ageSeconds + delay <= giveUpAfter.seconds else { return nil }
        return .milliseconds(Int64(delay * 1000))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
