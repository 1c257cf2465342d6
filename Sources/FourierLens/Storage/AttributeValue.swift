/// The value of an HDF5 attribute: numbers and strings, scalar or 1-D.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible {
    case integers([Int64])
    case floats([Double])
    case strings([String])
    case unsupported(String)

    public var description: String {
        func list<T>(_ items: [T]) -> String {
            items.count == 1 ? "\(items[0])" : "[" + items.map { "\($0)" }.joined(separator: ", ") + "]"
        }
        switch self {
        case let .integers(v): return list(v)
        case let .floats(v): return list(v)
        case let .strings(v): return v.count == 1 ? v[0] : "[" + v.joined(separator: ", ") + "]"
        case let .unsupported(what): return "<\(what)>"
        }
    }

    /// The single string, when this is a scalar (or one-element) string attribute.
    public var string: String? {
        if case let .strings(v) = self, v.count == 1 { return v[0] }
        return nil
    }

    /// The single number, when this is a scalar (or one-element) numeric attribute.
    public var number: Double? {
        switch self {
        case let .integers(v) where v.count == 1: return Double(v[0])
        case let .floats(v) where v.count == 1: return v[0]
        default: return nil
        }
    }

    /// The single number when it is a whole number that fits an Int (a count such as d_model);
    /// nil for NaN, ±Inf, fractions and values beyond Int's range.
    public var wholeNumber: Int? {
        guard let number, number.isFinite, number == number.rounded(), abs(number) < 9.0e18 else { return nil }
        return Int(number)
    }
}
