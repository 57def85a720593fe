import Foundation

/// `after_id`, `limit` and `offset` of a list request (tasks-api.md §4).
public struct Pagination: Equatable, Sendable {
    /// nil when absent (Go's nil UUID, which also means "no cursor").
    public var afterID: UUID?
    /// 0 means no limit; there is no maximum.
    public var limit: Int
    public var offset: Int

    public init(afterID: UUID? = nil, limit: Int = 0, offset: Int = 0) {
        self.afterID = afterID
        self.limit = limit
        self.offset = offset
    }

    /// Coder's `ParsePagination`. Other query parameters are ignored; every failure of
    /// the three is collected, in the order after_id, limit, offset.
    public static func parse(_ query: [(name: String, value: String)]) throws(QueryValidationError) -> Pagination {
        try parse(QueryValues(query))
    }

    static func parse(_ query: QueryValues) throws(QueryValidationError) -> Pagination {
        let parser = QueryParamParser(query)
        var page = Pagination()
        if let id = parser.uuid("after_id"), id != nilUUID {
            page.afterID = id
        }
        page.limit = Int(parser.positiveInt32("limit") ?? 0)
        page.offset = Int(parser.positiveInt32("offset") ?? 0)
        guard parser.failures.isEmpty else {
            throw QueryValidationError(validations: parser.failures)
        }
        return page
    }

    private static let nilUUID = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!
}
