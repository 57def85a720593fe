import Foundation

/// Which URLs deliveries may go to. A subscription's URL must be absolute http(s) with a host.
/// Without an allow-list, deliveries go only to public addresses: loopback, private, link-local
/// and other special ranges are refused (a webhook must not reach into the server's own network).
/// With an allow-list (`serve --webhook-allow`), only the listed hosts and CIDRs are reached,
/// whatever their range — which is how tests allow `127.0.0.1/8`.
public struct WebhookTargetPolicy: Sendable {
    public enum Entry: Sendable, Equatable {
        case host(String)
        /// `*.example.com`: any subdomain.
        case domainSuffix(String)
        case network(IPNetwork)
    }

    public let allowList: [Entry]?

    public init(allowList: [Entry]? = nil) { self.allowList = allowList }

    /// Parses `--webhook-allow` entries: hosts, `*.domain`, IP addresses or CIDRs.
    public static func parse(_ entries: [String]) throws -> WebhookTargetPolicy {
        let parsed = try entries.flatMap { $0.split(separator: ",") }.map { raw -> Entry in
            let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if let network = IPNetwork(text) { return .network(network) }
            if text.hasPrefix("*."), text.count > 2 { return .domainSuffix(String(text.dropFirst(1))) }
            guard !text.isEmpty, !text.contains("/"), !text.contains(":") else {
                throw StoreError.invalid("invalid --webhook-allow entry \"\(raw)\": expected a host, *.domain, an IP address or a CIDR")
            }
            return .host(text)
        }
        return WebhookTargetPolicy(allowList: parsed)
    }

    static let urlFormatDetail = "must be an absolute http or https URL with a host, without user info"

    /// Why a subscription URL cannot be used, or nil.
    public static func urlProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil, text.utf8.count <= 2048
        else { return urlFormatDetail }
        return nil
    }

    /// Why a delivery to `url` is refused now (its host resolved), or nil when it may go.
    public func refusal(for url: String) -> String? {
        guard Self.urlProblem(url) == nil, let components = URLComponents(string: url), var host = components.host?.lowercased()
        else { return "invalid URL" }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let allowList, allowList.contains(where: { entry in
            switch entry {
            case .host(let name): name == host
            case .domainSuffix(let suffix): host.hasSuffix(suffix)
            case .network: false
            }
        }) { return nil }
        let addresses = IPAddress.resolve(host)
        if addresses.isEmpty { return "cannot resolve host" }
        for address in addresses {
            if let allowList {
                let allowed = allowList.contains { entry in
                    if case .network(let network) = entry { return network.contains(address) }
                    return false
                }
                if !allowed { return "target \(address) is not in the webhook allow-list" }
            } else if address.isSpecialPurpose {
                return "target \(address) is a loopback, private or special address; allow it with --webhook-allow"
            }
        }
        return nil
    }
}
