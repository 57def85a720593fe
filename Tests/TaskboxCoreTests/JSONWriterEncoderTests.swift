import Foundation
import Testing
@testable import TaskboxCore

/// `JSONWriter.encode(_:)`, the writer every `Encodable` response goes through: the layout
/// `JSONEncoder` gave them (encode order, nil optionals left out) with Go's escaping and numbers.
@Suite struct JSONWriterEncoderTests {
    struct Inner: Encodable {
        var name: String
        var tags: [String]
    }

    /// A hand-written `encode(to:)` that writes nulls on purpose, a nested container and a super encoder.
    struct Explicit: Encodable {
        enum Keys: String, CodingKey { case none, optional, nested, list }
        var optional: Int?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encodeNil(forKey: .none)
            try c.encode(optional, forKey: .optional)
            var nested = c.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encode(UInt8(7), forKey: .none)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try list.encodeNil()
            try list.encode(Float(0.1))
            try Inner(name: "s", tags: []).encode(to: list.superEncoder())
        }
    }

    struct Outer: Encodable {
        var zeta: Int
        var alpha: Bool
        var inner: Inner
        var items: [Inner]
        var present: String?
        var absent: String?
        var large: Double
        var small: Double
        var tenth: Double
        var explicit: Explicit
        var map: [String: Int]
        var state: ProvisionerJobStatus
    }

    @Test func writesKeysInEncodeOrderWithGoEscapingAndGoNumbers() throws {
        let value = Outer(
            zeta: -3, alpha: true, inner: Inner(name: "<b>&\u{2028}\u{8}\u{C}\u{1}\"\\é", tags: []),
            items: [Inner(name: "a", tags: ["x", "y"]), Inner(name: "b", tags: ["z"])],
            present: "here", absent: nil, large: 1e21, small: 1e-7, tenth: 0.1,
            explicit: Explicit(optional: nil), map: ["b": 2, "a": 1, "C": 3, "é": 4], state: .succeeded)
        let expected = #"{"zeta":-3,"alpha":true,"inner":{"name":"\u003cb\u003e\u0026\u2028\b\f\u0001\"\\é","tags":[]},"#
            + #""items":[{"name":"a","tags":["x","y"]},{"name":"b","tags":["z"]}],"present":"here","#
            + #""large":1e+21,"small":1e-7,"tenth":0.1,"#
            + #""explicit":{"none":null,"optional":null,"nested":{"none":7},"list":[null,0.1,{"name":"s","tags":[]}]},"#
            + #""map":{"C":3,"a":1,"b":2,"é":4},"state":"succeeded"}"#
        #expect(try JSONWriter.text(value) == expected)
    }

    @Test func topLevelScalarsAndNil() throws {
        #expect(try JSONWriter.text(String?.none) == "null")
        #expect(try JSONWriter.text(["<", "\u{2029}"]) == #"["\u003c","\u2029"]"#)
        #expect(try JSONWriter.text(Int64.min) == "-9223372036854775808")
        #expect(try JSONWriter.text(123456789.0) == "123456789")
        #expect(try JSONWriter.text(URL(string: "http://h/a?b=1&c")!) == #""http://h/a?b=1\u0026c""#)
    }

    /// Coder's JSON has no Foundation form for these, and Go refuses NaN and infinities.
    @Test func datesDataAndNonFiniteNumbersThrow() {
        #expect(throws: EncodingError.self) { try JSONWriter.text([Date(timeIntervalSince1970: 0)]) }
        #expect(throws: EncodingError.self) { try JSONWriter.text(Data([1])) }
        #expect(throws: EncodingError.self) { try JSONWriter.text(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONWriter.text(Float.infinity) }
    }

    /// huma's encoder (`SetEscapeHTML(false)`) leaves `< > &` alone; the rest is escaped as ever.
    @Test func goJSONWritesThroughTheWriterWithOrWithoutHTMLEscaping() {
        let value = GoJSON.object([
            (key: "<k>", value: .string("a<b>&c\u{2028}\u{7F}\t")),
            (key: "n", value: .number("1.50")),
            (key: "l", value: .array([.null, .bool(false), .object([])])),
        ])
        #expect(value.encoded(escapeHTML: false) == "{\"<k>\":\"a<b>&c\\u2028\u{7F}\\t\",\"n\":1.50,\"l\":[null,false,{}]}")
        #expect(value.encoded(escapeHTML: true) == "{\"\\u003ck\\u003e\":\"a\\u003cb\\u003e\\u0026c\\u2028\u{7F}\\t\",\"n\":1.50,\"l\":[null,false,{}]}")
    }
}
