import Foundation

extension JSONWriter {
    /// Writes an `Encodable` value the way Go writes the matching struct: keys in encode order
    /// (a synthesized `Codable` encodes in declaration order, Go in field order; Linux's
    /// `JSONEncoder` kept neither), `encodeIfPresent` leaving nil keys out as `JSONEncoder`
    /// does, an explicit `encodeNil` as `null`, this writer's Go escaping, Go's float notation
    /// (`GoJSON.formatFloat`) and Go's sorted keys for `[String: V]` maps. Date, Data and
    /// Decimal throw: Coder's JSON has no Foundation default for them, so a caller formats
    /// them itself first (timestamps are RFC 3339 text already).
    public mutating func encode<T: Encodable>(_ value: T) throws {
        let root = EncodedNode()
        try root.store(value, codingPath: [])
        guard !root.isUnset else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        root.write(to: &self)
    }

    /// The compact JSON text of a value, for JSON kept in a column or sent in a request.
    public static func text<T: Encodable>(_ value: T) throws -> String {
        var writer = JSONWriter(capacity: 64)
        try writer.encode(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Go sorts map keys (by their bytes) when it encodes a map; Swift's dictionary order is
/// random per process.
private protocol StringKeyedMap {}
extension Dictionary: StringKeyedMap where Key == String {}

/// What one value encoded into, built first and written once encoding is done, so containers
/// may be filled in any order (a nested container, then its parent again) as `Encoder` allows.
private final class EncodedNode {
    private enum Content {
        case unset
        case scalar(GoJSON)
        case object(keys: [String], members: [String: EncodedNode], sorted: Bool)
        case array([EncodedNode])
    }

    private var content = Content.unset

    var isUnset: Bool { if case .unset = content { true } else { false } }

    func set(_ scalar: GoJSON) { content = .scalar(scalar) }

    /// A value through its own `encode(to:)`, except the Foundation types `JSONEncoder`
    /// special-cases.
    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case is Date, is Data, is Decimal:
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(T.self) has no Go JSON form here; encode it as text"))
        case let url as URL:
            set(.string(url.absoluteString))
        default:
            try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
            if value is any StringKeyedMap, case .object(let keys, let members, _) = content {
                content = .object(keys: keys, members: members, sorted: true)
            }
        }
    }

    /// The member for `key`, replacing an earlier one as `JSONEncoder` does.
    func member(_ key: String) -> EncodedNode {
        let node = EncodedNode()
        guard case .object(var keys, var members, let sorted) = content else { preconditionFailure("member of a non-object") }
        content = .unset
        if members.updateValue(node, forKey: key) == nil { keys.append(key) }
        content = .object(keys: keys, members: members, sorted: sorted)
        return node
    }

    func appendElement() -> EncodedNode {
        let node = EncodedNode()
        guard case .array(var items) = content else { preconditionFailure("element of a non-array") }
        content = .unset
        items.append(node)
        content = .array(items)
        return node
    }

    /// Asking for the same kind of container again continues it, as with `JSONEncoder`.
    func becomeObject() {
        if case .object = content { return }
        precondition(isUnset, "a keyed container over a value already encoded otherwise")
        content = .object(keys: [], members: [:], sorted: false)
    }

    func becomeArray() {
        if case .array = content { return }
        precondition(isUnset, "an unkeyed container over a value already encoded otherwise")
        content = .array([])
    }

    var count: Int { if case .array(let items) = content { items.count } else { 0 } }

    func write(to json: inout JSONWriter) {
        switch content {
        // A nested value that encoded nothing is an empty object in JSONEncoder.
        case .unset:
            json.beginObject()
            json.endObject()
        case .scalar(let value):
            value.write(to: &json)
        case .object(let keys, let members, let sorted):
            json.beginObject()
            for key in sorted ? keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) : keys {
                json.key(key)
                members[key]!.write(to: &json)
            }
            json.endObject()
        case .array(let items):
            json.beginArray()
            for item in items { item.write(to: &json) }
            json.endArray()
        }
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(intValue: Int) { nil }
    init?(stringValue: String) { nil }
}

private struct NodeEncoder: Encoder {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

/// The scalar forms every container writes.
private func goNumber(_ value: some BinaryInteger) -> GoJSON { .number(String(value)) }

private func goNumber<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, _ codingPath: [any CodingKey]) throws -> GoJSON {
    // Go's json.Marshal refuses NaN and ±Inf (UnsupportedValueError), as JSONEncoder does.
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "unsupported value: \(value)"))
    }
    return .number(GoJSON.formatFloat(value))
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    private func slot(_ key: Key) -> EncodedNode { node.member(key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { slot(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { slot(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { slot(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { slot(key).set(try goNumber(value, codingPath + [key])) }
    mutating func encode(_ value: Float, forKey key: Key) throws { slot(key).set(try goNumber(value, codingPath + [key])) }
    mutating func encode(_ value: Int, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { slot(key).set(goNumber(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try slot(key).store(value, codingPath: codingPath + [key]) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: slot(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: slot(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super"), codingPath: codingPath + [SuperKey()]) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: slot(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    private func slot() -> EncodedNode { node.appendElement() }
    private var nextPath: [any CodingKey] { codingPath + [IndexKey(count)] }

    mutating func encodeNil() throws { slot().set(.null) }
    mutating func encode(_ value: Bool) throws { slot().set(.bool(value)) }
    mutating func encode(_ value: String) throws { slot().set(.string(value)) }
    mutating func encode(_ value: Double) throws { slot().set(try goNumber(value, nextPath)) }
    mutating func encode(_ value: Float) throws { slot().set(try goNumber(value, nextPath)) }
    mutating func encode(_ value: Int) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: Int8) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: Int16) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: Int32) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: Int64) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: UInt) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: UInt8) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: UInt16) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: UInt32) throws { slot().set(goNumber(value)) }
    mutating func encode(_ value: UInt64) throws { slot().set(goNumber(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try slot().store(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return NodeEncoder(node: slot(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return NodeEncoder(node: slot(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return NodeEncoder(node: slot(), codingPath: path)
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.set(try goNumber(value, codingPath)) }
    mutating func encode(_ value: Float) throws { node.set(try goNumber(value, codingPath)) }
    mutating func encode(_ value: Int) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: Int8) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: Int16) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: Int32) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: Int64) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: UInt) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: UInt8) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: UInt16) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: UInt32) throws { node.set(goNumber(value)) }
    mutating func encode(_ value: UInt64) throws { node.set(goNumber(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}
