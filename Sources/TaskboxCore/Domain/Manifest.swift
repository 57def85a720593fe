import Foundation

/// A template version as a JSON file (taskbox.md §2): the role Terraform plays in Coder.
public struct Manifest: Codable, Equatable, Sendable {
    public struct Parameter: Codable, Equatable, Sendable {
        public var name: String
        public var type: String
        public var `default`: String?
        public var options: [String]?
    }

    public struct Preset: Codable, Equatable, Sendable {
        public var name: String
        public var parameters: [String: String]?
    }

    public struct Healthcheck: Codable, Equatable, Sendable {
        public var url: String
        public var interval_s: Int
        public var threshold: Int
    }

    public struct App: Codable, Equatable, Sendable {
        public var slug: String
        public var display_name: String?
        public var url: String?
        public var command: [String]?
        public var healthcheck: Healthcheck?
        /// Extra environment variables of the app process (taskbox.md §2); values take
        /// `{port}`, `{param:NAME}` and `{env:NAME}`.
        public var env: [String: String]?
    }

    public struct Agent: Codable, Equatable, Sendable {
        public var name: String
        public var apps: [App]?
    }

    public struct AITask: Codable, Equatable, Sendable {
        public var app: String
    }

    public var name: String
    public var display_name: String?
    public var icon: String?
    public var description: String?
    public var parameters: [Parameter]?
    public var presets: [Preset]?
    public var agents: [Agent]?
    public var ai_task: AITask?

    public var hasAITask: Bool { ai_task != nil }
    public var allApps: [App] { (agents ?? []).flatMap { $0.apps ?? [] } }
}

/// A manifest that cannot be pushed, with the path of the offending field.
public struct ManifestError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var problem: String
    public var description: String { "invalid manifest: \(field): \(problem)" }
}

extension Manifest {
    /// Decodes and validates a manifest file's bytes.
    public static func parse(_ data: Data) throws(ManifestError) -> Manifest {
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch let error as DecodingError {
            throw ManifestError.from(error)
        } catch {
            throw ManifestError(field: "(file)", problem: "not valid JSON")
        }
        // SQLite text ends at NUL (see RequestBody.nul): refused here too, for every field.
        func hasNUL(_ value: Any) -> Bool {
            switch value {
            case let text as String: text.utf8.contains(0)
            case let array as [Any]: array.contains(where: hasNUL)
            case let object as [String: Any]: object.contains { hasNUL($0.key) || hasNUL($0.value) }
            default: false
            }
        }
        if let raw = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), hasNUL(raw) {
            throw ManifestError(field: "(file)", problem: "text must not contain NUL (\\u0000) characters")
        }
        try manifest.validate()
        return manifest
    }

    public func validate() throws(ManifestError) {
        func fail(_ field: String, _ problem: String) -> ManifestError { ManifestError(field: field, problem: problem) }

        if let problem = NameValidator.validate(name) { throw fail("name", problem) }

        var declared: [String: Parameter] = [:]
        for (i, p) in (parameters ?? []).enumerated() {
            let field = "parameters[\(i)]"
            if p.name.isEmpty { throw fail("\(field).name", "must not be empty") }
            if declared[p.name] != nil { throw fail("\(field).name", "duplicate parameter \"\(p.name)\"") }
            guard ["string", "number", "bool"].contains(p.type) else {
                throw fail("\(field).type", "must be one of string, number, bool (got \"\(p.type)\")")
            }
            for (j, option) in (p.options ?? []).enumerated() where !Self.value(option, fits: p.type) {
                throw fail("\(field).options[\(j)]", "\"\(option)\" is not a valid \(p.type)")
            }
            if let value = p.default, !value.isEmpty || p.type != "string" {
                if !Self.value(value, fits: p.type) {
                    throw fail("\(field).default", "\"\(value)\" is not a valid \(p.type)")
                }
                if let options = p.options, !options.isEmpty, !options.contains(value) {
                    throw fail("\(field).default", "\"\(value)\" is not one of the options")
                }
            }
            declared[p.name] = p
        }

        var presetNames: Set<String> = []
        for (i, preset) in (presets ?? []).enumerated() {
            let field = "presets[\(i)]"
            if preset.name.isEmpty { throw fail("\(field).name", "must not be empty") }
            if !presetNames.insert(preset.name).inserted { throw fail("\(field).name", "duplicate preset \"\(preset.name)\"") }
            for (name, value) in (preset.parameters ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let p = declared[name] else {
                    throw fail("\(field).parameters.\(name)", "names an undeclared parameter")
                }
                if !Self.value(value, fits: p.type) || !(p.options ?? []).isEmpty && !(p.options ?? []).contains(value) {
                    throw fail("\(field).parameters.\(name)", "\"\(value)\" is not a valid value")
                }
            }
        }

        var slugs: Set<String> = []
        var agentNames: Set<String> = []
        for (i, agent) in (agents ?? []).enumerated() {
            let field = "agents[\(i)]"
            if let problem = NameValidator.validate(agent.name) { throw fail("\(field).name", problem) }
            if !agentNames.insert(agent.name.lowercased()).inserted { throw fail("\(field).name", "duplicate agent \"\(agent.name)\"") }
            for (j, app) in (agent.apps ?? []).enumerated() {
                let appField = "\(field).apps[\(j)]"
                if !Self.isValidSlug(app.slug) {
                    throw fail("\(appField).slug", "must be lower-case letters, digits and single hyphens (got \"\(app.slug)\")")
                }
                if !slugs.insert(app.slug).inserted { throw fail("\(appField).slug", "duplicate app slug \"\(app.slug)\"") }
                if let command = app.command, command.isEmpty || command[0].isEmpty {
                    throw fail("\(appField).command", "must name a program")
                }
                if let hc = app.healthcheck {
                    if hc.url.isEmpty { throw fail("\(appField).healthcheck.url", "must not be empty") }
                    if hc.interval_s <= 0 { throw fail("\(appField).healthcheck.interval_s", "must be positive") }
                    if hc.threshold <= 0 { throw fail("\(appField).healthcheck.threshold", "must be positive") }
                }
                var templated: [(String, String)] = []
                if let url = app.url { templated.append(("\(appField).url", url)) }
                for (k, arg) in (app.command ?? []).enumerated() { templated.append(("\(appField).command[\(k)]", arg)) }
                if let hc = app.healthcheck { templated.append(("\(appField).healthcheck.url", hc.url)) }
                for (key, value) in (app.env ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let envField = "\(appField).env.\(key)"
                    if !AppEnvironment.isValidName(key) {
                        throw fail(envField, "must be a variable name of letters, digits and underscores, not starting with a digit")
                    }
                    if AppEnvironment.isReserved(key) {
                        throw fail(envField, "is set by taskbox for every app and cannot be overridden")
                    }
                    for name in Placeholders.environmentNames(in: value) where !AppEnvironment.isValidName(name) {
                        throw fail(envField, "{env:\(name)} does not name a variable")
                    }
                    templated.append((envField, value))
                }
                for (f, text) in templated {
                    for name in Placeholders.parameterNames(in: text) where declared[name] == nil {
                        throw fail(f, "{param:\(name)} names an undeclared parameter")
                    }
                }
            }
        }

        if let aiTask = ai_task, !slugs.contains(aiTask.app) {
            throw fail("ai_task.app", "names no app of this template (\"\(aiTask.app)\")")
        }
    }

    static func value(_ value: String, fits type: String) -> Bool {
        switch type {
        // Go's strconv.ParseFloat refuses out-of-range values (1e999); NaN and infinities
        // are no numbers a template can compare or show either.
        case "number": Double(value)?.isFinite ?? false
        case "bool": value == "true" || value == "false"
        default: true
        }
    }

    /// Coder's app slug rule.
    static func isValidSlug(_ slug: String) -> Bool {
        slug.range(of: "^[a-z0-9](-?[a-z0-9])*$", options: .regularExpression) != nil && slug.utf8.count <= 32
    }
}

extension ManifestError {
    static func from(_ error: DecodingError) -> ManifestError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { out, key in
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return ManifestError(field: field, problem: "is required")
        case .typeMismatch(let type, let context):
            return ManifestError(field: path(context.codingPath), problem: "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return ManifestError(field: path(context.codingPath), problem: "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return ManifestError(field: field.isEmpty ? "(file)" : field, problem: "not valid JSON")
        @unknown default:
            return ManifestError(field: "(file)", problem: "not valid JSON")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

/// `{port}` and `{param:NAME}` substitution in app URLs, commands, healthchecks and env values;
/// `{env:NAME}` only in env values (taskbox.md §2).
public enum Placeholders {
    public static func parameterNames(in text: String) -> [String] { names(after: "{param:", in: text) }
    public static func environmentNames(in text: String) -> [String] { names(after: "{env:", in: text) }

    private static func names(after prefix: String, in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: prefix) {
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "}") else { break }
            names.append(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        return names
    }

    /// Replaces every placeholder in one argument in a single pass, so a value that itself
    /// looks like a placeholder is kept as it is (a parameter value `{env:SECRET}` stays text).
    /// `environment` is `serve`'s own, given only for env values; elsewhere `{env:…}` stays as written.
    /// `task` fills `{task:id}` and `{task:prompt}` (tasks-v2.md §11.2); without a task they become "".
    public static func substitute(
        _ text: String, port: Int, parameters: [String: String], environment: [String: String]? = nil,
        task: (id: String, prompt: String)? = nil
    ) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let tail = rest[open...]
            if tail.hasPrefix("{port}") {
                out += String(port)
                rest = tail.dropFirst("{port}".count)
            } else if tail.hasPrefix("{param:"), let close = tail.firstIndex(of: "}") {
                let name = String(tail[tail.index(open, offsetBy: "{param:".count)..<close])
                out += parameters[name] ?? ""
                rest = tail[tail.index(after: close)...]
            } else if tail.hasPrefix("{task:id}") {
                out += task?.id ?? ""
                rest = tail.dropFirst("{task:id}".count)
            } else if tail.hasPrefix("{task:prompt}") {
                out += task?.prompt ?? ""
                rest = tail.dropFirst("{task:prompt}".count)
            } else if let environment, tail.hasPrefix("{env:"), let close = tail.firstIndex(of: "}") {
                let name = String(tail[tail.index(open, offsetBy: "{env:".count)..<close])
                out += environment[name] ?? ""
                rest = tail[tail.index(after: close)...]
            } else {
                out += "{"
                rest = tail.dropFirst()
            }
        }
        return out + rest
    }
}
