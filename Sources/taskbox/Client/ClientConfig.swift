import Foundation

/// Where a client command finds its server: `taskbox login` stores the URL and token in
/// `config.json` in the user's config directory; `TASKBOX_URL` and `TASKBOX_TOKEN` override them.
struct ClientConfig: Codable, Equatable {
    var url: String
    var token: String

    static let notLoggedIn =
        "not logged in: run `taskbox login URL --token TOKEN`, or set TASKBOX_URL and TASKBOX_TOKEN"

    /// `TASKBOX_CONFIG_DIR`, else `$XDG_CONFIG_HOME/taskbox`, else `~/.config/taskbox`.
    static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["TASKBOX_CONFIG_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("taskbox")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".config/taskbox")
    }

    static func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        directory(environment: environment).appendingPathComponent("config.json")
    }

    /// The stored login with the environment's overrides applied.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientConfig {
        let path = file(environment: environment)
        var stored: ClientConfig?
        let overridden = nonEmpty(environment["TASKBOX_URL"]) != nil && nonEmpty(environment["TASKBOX_TOKEN"]) != nil
        if !overridden, let data = FileManager.default.contents(atPath: path.path) {
            do {
                stored = try JSONDecoder().decode(ClientConfig.self, from: data)
            } catch {
                throw CLIError("cannot read \(path.path): \(error)")
            }
        }
        let url = nonEmpty(environment["TASKBOX_URL"]) ?? stored?.url
        let token = nonEmpty(environment["TASKBOX_TOKEN"]) ?? stored?.token
        guard let url, let token else { throw CLIError(notLoggedIn) }
        return ClientConfig(url: try normalizedURL(url), token: token)
    }

    /// Writes the file readable by its owner only (it holds a token), replacing it atomically.
    func save(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let dir = Self.directory(environment: environment)
        let fm = FileManager.default
        try fm.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let temporary = dir.appendingPathComponent(".config.json.\(getpid())")
        guard fm.createFile(atPath: temporary.path, contents: try encoder.encode(self) + Data("\n".utf8),
                            attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(temporary.path)") }
        guard rename(temporary.path, Self.file(environment: environment).path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temporary)
            throw CLIError("cannot write \(Self.file(environment: environment).path): \(reason)")
        }
    }

    /// `http(s)://host[:port][/path]` without a trailing slash, so paths can be appended.
    static func normalizedURL(_ raw: String) throws -> String {
        var url = raw.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""),
              let host = parts.host, !host.isEmpty, parts.query == nil
        else { throw CLIError("invalid server URL \"\(raw)\": expected http://HOST[:PORT] or https://HOST[:PORT]") }
        return url
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
