/// One probe of the representation.
public enum Probe: Hashable, Sendable, CustomStringConvertible {
    /// Ridge regression of the number's value; held-out R².
    case value
    /// The number mod m, by a linear classifier; held-out accuracy.
    case mod(Int)
    /// Helix basis [a, cos(2πa/T), sin(2πa/T)] fitted to the top principal components; held-out R².
    case helix
    /// The Fourier features of a at chosen periods read out of the representation by ridge
    /// regression (λ by inner cross-validation); held-out R² pooled over the features.
    case fourier

    public var description: String {
        switch self {
        case .value: return "value"
        case let .mod(m): return "mod\(m)"
        case .helix: return "helix"
        case .fourier: return "fourier"
        }
    }

    /// "value", "mod2", "mod10", "helix", "fourier".
    public init?(_ text: String) {
        switch text {
        case "value": self = .value
        case "helix": self = .helix
        case "fourier": self = .fourier
        default:
            guard text.hasPrefix("mod"), let m = Int(text.dropFirst(3)), m >= 2 else { return nil }
            self = .mod(m)
        }
    }

    public static let defaults: [Probe] = [.value, .mod(2), .mod(5), .mod(10), .helix, .fourier]
}

public struct ProbeOptions: Sendable, Codable, Equatable {
    public var probes: [String] = Probe.defaults.map(\.description)
    public var folds = 5
    /// Folds inside each training set that choose the ridge strength.
    public var innerFolds = 5
    public var seed: UInt64 = 0
    /// Periods of the helix basis (Kantamneni & Tegmark 2025).
    public var helixPeriods: [Double] = [2, 5, 10, 100]
    /// Periods of the Fourier-basis probe (the key periods of the spectra).
    public var fourierPeriods: [Double] = [2, 2.5, 5, 10]
    /// Principal components kept before the helix fit.
    public var pcaDimensions = 100
    public init() {}

    /// In summary.json each option is named as its command-line flag (docs/REPORTS.md).
    enum CodingKeys: String, CodingKey {
        case probes, folds, seed
        case innerFolds = "inner_folds", helixPeriods = "periods", fourierPeriods = "fourier_periods"
        case pcaDimensions = "pca_dimensions"
    }

    public var parsedProbes: [Probe] { probes.compactMap(Probe.init) }
}

/// A probe's score over the folds, with its chance level and shuffled-label control.
public struct ProbeScore: Sendable, Equatable {
    public let probe: String
    public let metric: String
    public let folds: [Double]
    public let chance: Double?
    public let control: [Double]?
    /// The ridge strength chosen in each fold (value and mod-m probes), and in the control's folds.
    public let lambdas: [Double]?
    public let controlLambdas: [Double]?

    public init(probe: String, metric: String, folds: [Double], chance: Double?, control: [Double]?,
                lambdas: [Double]? = nil, controlLambdas: [Double]? = nil) {
        self.probe = probe; self.metric = metric; self.folds = folds; self.chance = chance; self.control = control
        self.lambdas = lambdas; self.controlLambdas = controlLambdas
    }

    public var mean: Double { folds.reduce(0, +) / Double(max(folds.count, 1)) }
    public var std: Double { standardDeviation(folds) }
    public var controlMean: Double? { control.map { $0.reduce(0, +) / Double(max($0.count, 1)) } }
    public var controlStd: Double? { control.map(standardDeviation) }
}

func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
}
