import Foundation

extension UUID {
    /// Coder writes UUIDs in lower case; so do we, in the database and in JSON.
    public var lowercased: String { uuidString.lowercased() }
}

/// Identifiers are lower-case UUID text everywhere in the store.
public enum ID {
    public static func new() -> String { UUID().lowercased }

    /// The canonical form of a UUID string, or nil when it does not parse.
    public static func canonical(_ text: String) -> String? {
        UUID(uuidString: text)?.lowercased
    }

    public static let nilUUID = "00000000-0000-0000-0000-000000000000"
}
