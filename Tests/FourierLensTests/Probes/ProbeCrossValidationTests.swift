import Foundation
@testable import FourierLens
import Testing

/// The choice of ridge strength against scikit-learn's GridSearchCV(Ridge / RidgeClassifier) with
/// the same outer and inner folds and grid (Tests/Fixtures/make_probe_cv_reference.py): the same
/// λ in every fold, the same held-out scores to 1e-6.
@Suite struct ProbeCrossValidationTests {
    struct Case: Decodable {
        struct Probe: Decodable { let lambdas: [Double]?, scores: [Double]?, mean: Double? }
        let seed: UInt64, folds: Int, inner_folds: Int, checksum: Double
        let outer_test: [[Int]]
        let probes: [String: Probe]
    }

    static let reference: [String: Case] = {
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/probe_cv_reference.json")
        return try! JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
    }()

    static func load(_ name: String) throws -> (Matrix, [Int64]) {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("probe_cv_cases.h5"))
        return (try file.readMatrix("/\(name)/x"), try file.readIntegers("/\(name)/values"))
    }

    static func run(_ name: String) throws -> (Case, [ProbeScore]) {
        let c = reference[name]!
        let (matrix, values) = try load(name)
        let sum = matrix.values.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - c.checksum) <= 1e-9 * max(1, abs(c.checksum)), "case data differs from the reference's")
        var options = ProbeOptions()
        options.probes = ["value", "mod2", "mod5", "mod10"]
        options.folds = c.folds
        options.innerFolds = c.inner_folds
        options.seed = c.seed
        return (c, try ProbeSuite.run(matrix, values: values, options: options))
    }

    @Test(arguments: ["demo_W_E", "demo_layer2", "planted_helix", "random_wide", "random_tall", "planted_wide_seed7"])
    func sameStrengthAndScoresAsScikitLearn(name: String) throws {
        let (c, scores) = try Self.run(name)
        let (_, values) = try Self.load(name)
        let strata = ProbeSuite.strata(values, modulus: 10, folds: c.folds)
        #expect(Folds(rows: values.count, folds: c.folds, seed: c.seed, strata: strata).test == c.outer_test)
        var compared = 0
        for score in scores {
            for (key, lambdas, folds) in [(score.probe, score.lambdas, score.folds),
                                          ("control:" + score.probe, score.controlLambdas, score.control)] {
                guard let expected = c.probes[key] else { continue }
                let chosen = try #require(lambdas), held = try #require(folds)
                for (f, (lambda, want)) in zip(chosen, expected.lambdas!).enumerated() {
                    #expect(abs(lambda - want) <= 1e-9 * want, "\(name) \(key) fold \(f): λ \(lambda), scikit-learn \(want)")
                }
                for (f, (value, want)) in zip(held, expected.scores!).enumerated() {
                    #expect(abs(value - want) <= 1e-6, "\(name) \(key) fold \(f): score \(value), scikit-learn \(want)")
                }
                compared += 1
            }
        }
        #expect(compared == c.probes.keys.filter { !$0.hasPrefix("logistic:") }.count)
    }

    /// A second, independent reference: multinomial logistic regression (LogisticRegressionCV).
    @Test(arguments: ["demo_W_E", "planted_helix"])
    func accuracyNearLogisticRegression(name: String) throws {
        let (c, scores) = try Self.run(name)
        for m in [2, 5, 10] {
            let ridge = scores.first { $0.probe == "mod\(m)" }!.mean
            let logistic = c.probes["logistic:mod\(m)"]!.mean!
            #expect(abs(ridge - logistic) <= 0.05, "\(name) mod\(m): ridge classifier \(ridge), logistic \(logistic)")
        }
    }

    /// Shuffled labels, and every probe of an unstructured matrix, stay near chance: R² within
    /// ±0.1, accuracy within 0.05 of chance or two standard errors of a chance classifier on the
    /// held-out rows, whichever is larger.
    @Test(arguments: ["demo_W_E", "planted_helix", "random_tall"])
    func controlsStayNearChance(name: String) throws {
        let (_, scores) = try Self.run(name)
        let rows = Double(try Self.load(name).1.count)
        for score in scores {
            var checked = [("control", try #require(score.controlMean))]
            if name.hasPrefix("random") { checked.append(("probe", score.mean)) }
            for (what, value) in checked {
                if score.metric == "r2" {
                    #expect(value >= -0.1 && value <= 0.1, "\(name) \(score.probe) \(what) R² \(value)")
                } else {
                    let chance = score.chance!
                    let bound = max(0.05, 2 * (chance * (1 - chance) / rows).squareRoot())
                    #expect(abs(value - chance) <= bound, "\(name) \(score.probe) \(what) accuracy \(value), chance \(chance)")
                }
            }
        }
    }
}
