import Foundation

/// The workspace search grammar, `q` of the task list (tasks-api.md §5): Coder's
/// `searchquery.Workspaces`.
public enum WorkspaceSearch {
    /// The longest `q` accepted (taskbox's limit, documented in the README).
    public static let maxQueryBytes = 16_384

    /// A tokenising error comes back alone (field `q`); otherwise every key's error is
    /// collected, in the order Coder reads the keys, then unknown keys in query order.
    public static func parse(
        _ query: String,
        lookup: some SearchLookup,
        agentInactiveDisconnectTimeoutSeconds: Int = 0
    ) async throws(QueryValidationError) -> WorkspaceFilter {
        var filter = WorkspaceFilter()
        filter.agentInactiveDisconnectTimeoutSeconds = agentInactiveDisconnectTimeoutSeconds
        if query.isEmpty { return filter }
        // Coder has no limit; SQLite's LIKE refuses patterns over 50,000 bytes, so a query that
        // long would fail deep in the SQL. Far above any real query (100 ids fit in 4 KiB).
        if query.utf8.count > maxQueryBytes {
            throw QueryValidationError(validations: [ValidationFailure(
                field: "q", detail: "The query is \(query.utf8.count) bytes long; the limit is \(maxQueryBytes) bytes.")])
        }

        let values = try SearchTerms.parse(query.lowercased(), bareTerm: addNameAndOwner)
        let parser = QueryParamParser(values)
        filter.workspaceIDs = parser.customList("id") { item throws(ValueParseError) in
            try GoUUID.parse(item.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        filter.ownerUsername = parser.string("owner")
        filter.templateName = parser.string("template")
        filter.name = parser.string("name")
        if let status = parser.single("status") {
            // Coder's workspace statuses, tasks-api.md §7.2.
            if let known = WorkspaceStatus(rawValue: status) {
                filter.status = known
            } else {
                parser.invalidValue("status", "\(goQuote(status)) is not a valid value")
            }
        }
        filter.hasAgent = parser.string("has-agent")
        filter.dormant = parser.boolean("dormant") ?? false
        filter.lastUsedAfter = parser.time3339Nano("last_used_after")
        filter.lastUsedBefore = parser.time3339Nano("last_used_before")
        // Coder tests the key's presence, not its value: `outdated:""` takes the default
        // `outdated = true`, so it still filters.
        let outdated = parser.boolean("outdated") ?? true
        if !values["outdated"].isEmpty { filter.usingActive = !outdated }
        filter.hasAITask = parser.boolean("has-ai-task")
        filter.hasExternalAgent = parser.boolean("has_external_agent")
        filter.organizationID = await organization(parser, lookup)
        filter.shared = parser.boolean("shared")
        filter.sharedWithUserID = await sharedWithUser(parser, lookup)
        filter.sharedWithGroupID = await sharedWithGroup(parser, lookup)
        for param in parser.customList("param", parameterMatch) {
            if let value = param.value {
                filter.paramNames.append(param.name)
                filter.paramValues.append(value)
            } else {
                filter.hasParam.append(param.name)
            }
        }
        parser.failUnknownKeys()

        guard parser.failures.isEmpty else {
            throw QueryValidationError(validations: parser.failures)
        }
        return filter
    }

    /// A bare term is a workspace name, or `owner/name` (tasks-api.md §5.2 step 5).
    private static func addNameAndOwner(_ term: String, to values: inout QueryValues) throws(ValueParseError) {
        let parts = SearchTerms.split(term, on: "/", keepingQuotes: false)
        switch parts.count {
        case 1:
            values.add("name", parts[0])
        case 2:
            values.add("owner", parts[0])
            values.add("name", parts[1])
        default:
            throw ValueParseError("Query element \(goQuote(term)) can only contain 1 '/'")
        }
    }

    /// `param:<name>` or `param:<name>=<value>`.
    private static func parameterMatch(_ item: String) throws(ValueParseError) -> (name: String, value: String?) {
        let trimmed = item.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            return (parts[0], nil)
        case 2 where parts[1].isEmpty:
            throw ValueParseError("query element \(goQuote(trimmed)) has an empty value. "
                + "omit the '=' to match just on the parameter name")
        case 2:
            return (parts[0], parts[1])
        default:
            throw ValueParseError("query element \(goQuote(trimmed)) can only contain 1 '='")
        }
    }

    private static func organization(_ parser: QueryParamParser, _ lookup: some SearchLookup) async -> UUID? {
        guard let value = parser.single("organization") else { return nil }
        if let id = try? GoUUID.parse(value) { return id }
        if let id = try? await lookup.organizationID(named: value) { return id }
        parser.invalidValue("organization", organizationNotFound(value))
        return nil
    }

    /// "me" is deliberately not special here (tasks-api.md §5.4).
    private static func sharedWithUser(_ parser: QueryParamParser, _ lookup: some SearchLookup) async -> UUID? {
        guard let value = parser.single("shared_with_user") else { return nil }
        if let id = try? GoUUID.parse(value) { return id }
        if let id = try? await lookup.userID(username: value) { return id }
        parser.invalidValue("shared_with_user",
                            "user \(goQuote(value)) either does not exist, or you are unauthorized to view them")
        return nil
    }

    private static func sharedWithGroup(_ parser: QueryParamParser, _ lookup: some SearchLookup) async -> UUID? {
        guard let value = parser.single("shared_with_group") else { return nil }
        if let id = try? GoUUID.parse(value) { return id }
        do {
            return try await groupID(named: value, lookup)
        } catch {
            parser.invalidValue("shared_with_group", error.message)
            return nil
        }
    }

    /// `<group>` in the default organization, or `<organization>/<group>`; each step has
    /// its own Coder error text (tasks-api.md §5.3).
    private static func groupID(named value: String, _ lookup: some SearchLookup) async throws(ValueParseError) -> UUID {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let organizationID: UUID
        let organizationName: String
        let groupName: String
        switch parts.count {
        case 1:
            guard let id = try? await lookup.defaultOrganizationID(),
                  let name = try? await lookup.organizationName(id: id) else {
                throw ValueParseError("fetching default organization")
            }
            (organizationID, organizationName, groupName) = (id, name, parts[0])
        case 2:
            if let reason = NameValidator.validate(parts[0]) {
                throw ValueParseError("invalid organization name \(reason)")
            }
            guard let id = try? await lookup.organizationID(named: parts[0]) else {
                throw ValueParseError(organizationNotFound(parts[0]))
            }
            let storedName = try? await lookup.organizationName(id: id)
            (organizationID, organizationName, groupName) = (id, storedName ?? parts[0], parts[1])
        default:
            throw ValueParseError("invalid organization or group name, "
                + "the filter must be in the pattern of <organization name>/<group name>")
        }
        if let reason = NameValidator.validateGroupName(groupName) {
            throw ValueParseError("invalid group name \(reason)")
        }
        guard let id = try? await lookup.groupID(organizationID: organizationID, name: groupName) else {
            throw ValueParseError("group \(goQuote(groupName)) either does not exist, does not belong to the "
                + "organization \(goQuote(organizationName)), or you are unauthorized to view it")
        }
        return id
    }

    private static func organizationNotFound(_ name: String) -> String {
        "organization \(goQuote(name)) either does not exist, or you are unauthorized to view it"
    }
}
