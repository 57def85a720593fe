import Crypto
import Foundation

/// Coder-style session tokens `<id>-<secret>`: a 10-character id and a 22-character secret,
/// both alphanumeric (taskbox.md §5). Only SHA-256 of the secret is stored.
public enum APIKey {
    static let idLength = 10
    static let secretLength = 22
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    public static func generate() -> (id: String, secret: String) {
        (random(idLength), random(secretLength))
    }

    public static func hash(secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Splits a token; the error texts are Coder's (`httpmw.SplitAPIToken`).
    public static func split(_ token: String) -> Result<(id: String, secret: String), APIKeyFormatError> {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(.init("incorrect amount of API key parts, expected 2 got \(parts.count)"))
        }
        let id = String(parts[0]), secret = String(parts[1])
        guard id.utf8.count == idLength else {
            return .failure(.init("invalid API key ID length, expected 10 got \(id.utf8.count)"))
        }
        guard secret.utf8.count == secretLength else {
            return .failure(.init("invalid API key secret length, expected 22 got \(secret.utf8.count)"))
        }
        return .success((id, secret))
    }

    /// Compares two digests in time independent of where they differ.
    public static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    private static func random(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

public struct APIKeyFormatError: Error, Equatable, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
