import Foundation
@testable import FourierLens
import Testing

/// The frequency control's spline regression against closed forms: PRESS equals refitting with
/// each row left out; a function in the spline's span is removed exactly; the basis is linear
/// beyond the outer knots; tied counts merge knots instead of failing.
@Suite struct FrequencySplineTests {
    func z(_ p: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0..<p).map { _ in 3 + 1.5 * random.nextGaussian() }
    }

    func matrix(_ columns: [[Double]]) -> Matrix {
        let p = columns[0].count
        return Matrix(rows: p, cols: columns.count, values: (0..<p).flatMap { i in columns.map { Float($0[i]) } })
    }

    @Test func pressEqualsLeaveOneOutRefits() {
        let zs = z(40, seed: 1)
        var random = SeededRandom(seed: 2)
        let x = matrix([zs.map { sin($0) + 0.2 * random.nextGaussian() }, zs.map { $0 * $0 / 5 + 0.3 * random.nextGaussian() }])
        let knots = FrequencySpline.knots(zs, count: 4)
        let q = FrequencySpline.orthonormal(FrequencySpline.basis(zs, knots: knots))
        let press = FrequencySpline.press(FrequencySpline.project(x, on: q).residual, basis: q)
        // Brute force: fit on the other rows by the normal equations (knots fixed), predict the row left out.
        let full = FrequencySpline.basis(zs, knots: knots)
        var total = 0.0
        for left in 0..<zs.count {
            let keep = (0..<zs.count).filter { $0 != left }
            for j in 0..<x.cols {
                let beta = leastSquares(full.map { column in keep.map { column[$0] } }, keep.map { Double(x[$0, j]) })
                let prediction = zip(full, beta).reduce(0) { $0 + $1.0[left] * $1.1 }
                total += pow(Double(x[left, j]) - prediction, 2)
            }
        }
        #expect(abs(press - total) / total < 1e-5)
    }

    /// Normal equations for a few columns, Gauss–Jordan with partial pivoting.
    func leastSquares(_ columns: [[Double]], _ y: [Double]) -> [Double] {
        let m = columns.count
        var a = (0..<m).map { i in (0..<m).map { j in zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } } }
        var b = (0..<m).map { i in zip(columns[i], y).reduce(0) { $0 + $1.0 * $1.1 } }
        for c in 0..<m {
            let pivot = (c..<m).max { abs(a[$0][c]) < abs(a[$1][c]) }!
            a.swapAt(c, pivot); b.swapAt(c, pivot)
            for r in 0..<m where r != c {
                let f = a[r][c] / a[c][c]
                for k in c..<m { a[r][k] -= f * a[c][k] }
                b[r] -= f * b[c]
            }
        }
        return (0..<m).map { b[$0] / a[$0][$0] }
    }

    @Test func aFunctionInTheSpanIsRemovedExactly() {
        let zs = z(60, seed: 3)
        let knots = FrequencySpline.knots(zs, count: 5)
        let basis = FrequencySpline.basis(zs, knots: knots)
        let inSpan = zs.indices.map { i in 2 * basis[0][i] - basis[1][i] + 0.7 * basis[2][i] + 0.1 * basis[4][i] }
        let fit = FrequencySpline.fit(matrix([inSpan]), z: zs)
        let largest = fit.residual.values.map { abs(Double($0)) }.max()!
        #expect(largest < 1e-4 * inSpan.map(abs).max()!)
    }

    @Test func theBasisIsLinearBeyondTheOuterKnots() {
        let knots = [1.0, 2.0, 3.5, 5.0]
        let grid = [6.0, 7.0, 8.0, -1.0, -2.0, -3.0]
        for column in FrequencySpline.basis(grid, knots: knots) {
            #expect(abs(column[0] - 2 * column[1] + column[2]) < 1e-9)  // second difference 0 above
            #expect(abs(column[3] - 2 * column[4] + column[5]) < 1e-9)  // and below
        }
    }

    @Test func tiedCountsMergeKnotsAndStillFit() {
        let zs = (0..<30).map { Double($0 % 3) }  // three distinct values
        #expect(FrequencySpline.knots(zs, count: 7).count <= 3)
        let fit = FrequencySpline.fit(matrix([zs.map { $0 * $0 }]), z: zs)
        #expect(fit.candidates.count >= 1 && fit.candidates.allSatisfy { $0.press.isFinite })
        #expect(fit.residual.values.allSatisfy { abs($0) < 1e-4 })
    }
}
