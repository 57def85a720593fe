import Crypto
import Foundation

/// Standard Webhooks signing: a secret `whsec_` + base64 of random bytes, and
/// `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>` keyed with the
/// secret's decoded bytes.
public enum WebhookSecret {
    static let prefix = "whsec_"

    /// 32 random bytes (the specification asks for 24 to 64).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
    }

    static func key(_ secret: String) -> SymmetricKey? {
        let encoded = secret.hasPrefix(prefix) ? String(secret.dropFirst(prefix.count)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { return nil }
        return SymmetricKey(data: bytes)
    }

    /// `v1,<signature>` for one secret.
    public static func signature(secret: String, id: String, timestamp: Int, body: [UInt8]) -> String? {
        guard let key = key(secret) else { return nil }
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// The header value: one signature per secret in use, separated by spaces (during a rotation
    /// both the new and the previous secret sign, so receivers can switch without losing events).
    public static func header(secrets: [String], id: String, timestamp: Int, body: [UInt8]) -> String {
        secrets.compactMap { signature(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }
}
