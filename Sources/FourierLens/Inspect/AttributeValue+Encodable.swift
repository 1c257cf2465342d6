/// Attributes appear in JSON as what they are: a number, a string, or a list of them.
extension AttributeValue: Encodable {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .integers(v): v.count == 1 ? try container.encode(v[0]) : try container.encode(v)
        case let .floats(v):
            // JSON has no NaN/Inf: those become strings.
            if v.allSatisfy(\.isFinite) {
                v.count == 1 ? try container.encode(v[0]) : try container.encode(v)
            } else {
                try container.encode(v.map { "\($0)" })
            }
        case let .strings(v): v.count == 1 ? try container.encode(v[0]) : try container.encode(v)
        case let .unsupported(what): try container.encode("<\(what)>")
        }
    }
}
